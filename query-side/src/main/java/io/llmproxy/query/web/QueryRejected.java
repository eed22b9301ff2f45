package io.llmproxy.query.web;

import org.springframework.http.HttpStatus;

/** A read that cannot be answered: 400 (bad parameter, named) or 404 (unknown tenant). */
public class QueryRejected extends RuntimeException {

    private final HttpStatus status;
    private final String field;

    public QueryRejected(HttpStatus status, String field, String message) {
        super(message);
        this.status = status;
        this.field = field;
    }

    public static QueryRejected badParameter(String field, String message) {
        return new QueryRejected(HttpStatus.BAD_REQUEST, field, message);
    }

    public static QueryRejected notFound(String field, String message) {
        return new QueryRejected(HttpStatus.NOT_FOUND, field, message);
    }

    public HttpStatus status() {
        return status;
    }

    public String field() {
        return field;
    }
}
