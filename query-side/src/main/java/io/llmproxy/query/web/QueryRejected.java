package io.llmproxy.query.web;

import org.springframework.http.HttpStatus;

/**
 * A read that cannot be answered: 400 (bad parameter, named), 404 (unknown tenant) or 503 (too many
 * heavy reads of one kind on this instance, with {@code Retry-After}).
 */
public class QueryRejected extends RuntimeException {

    /** Problem code of {@link #busy}. */
    public static final String BUSY = "busy";
    /** Seconds a client should wait before retrying after {@link #busy}. */
    public static final int BUSY_RETRY_AFTER_SECONDS = 5;

    private final HttpStatus status;
    private final String field;
    private final String code;
    private final Integer retryAfterSeconds;

    public QueryRejected(HttpStatus status, String field, String message) {
        this(status, field, status == HttpStatus.NOT_FOUND ? "not_found" : "invalid_" + field, message, null);
    }

    private QueryRejected(HttpStatus status, String field, String code, String message, Integer retryAfterSeconds) {
        super(message);
        this.status = status;
        this.field = field;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static QueryRejected badParameter(String field, String message) {
        return new QueryRejected(HttpStatus.BAD_REQUEST, field, message);
    }

    public static QueryRejected notFound(String field, String message) {
        return new QueryRejected(HttpStatus.NOT_FOUND, field, message);
    }

    /**
     * @param field the parameter that chose the heavy kind of read (e.g. {@code format}), or null
     * @return 503 {@value #BUSY} with {@code Retry-After: }{@value #BUSY_RETRY_AFTER_SECONDS}
     */
    public static QueryRejected busy(String field, String message) {
        return new QueryRejected(HttpStatus.SERVICE_UNAVAILABLE, field, BUSY, message, BUSY_RETRY_AFTER_SECONDS);
    }

    public HttpStatus status() {
        return status;
    }

    public String field() {
        return field;
    }

    /** @return the problem's {@code code}: {@code invalid_<field>}, {@code not_found} or {@value #BUSY} */
    public String code() {
        return code;
    }

    /** @return seconds for {@code Retry-After}, or null when the answer has none */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
