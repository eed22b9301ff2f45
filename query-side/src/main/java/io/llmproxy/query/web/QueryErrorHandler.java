package io.llmproxy.query.web;

import io.llmproxy.adminweb.Problems;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/** Maps read failures to RFC 9457 problem JSON with {@code code} and {@code field} members. */
@RestControllerAdvice
public class QueryErrorHandler {

    @ExceptionHandler(QueryRejected.class)
    ResponseEntity<ProblemDetail> rejected(QueryRejected e) {
        ResponseEntity<ProblemDetail> problem = Problems.problem(e.status(), e.code(), e.field(), e.getMessage());
        if (e.retryAfterSeconds() == null) {
            return problem;
        }
        return ResponseEntity.status(problem.getStatusCode())
                .header(HttpHeaders.RETRY_AFTER, Integer.toString(e.retryAfterSeconds())).body(problem.getBody());
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ProblemDetail> missing(MissingServletRequestParameterException e) {
        return Problems.problem(HttpStatus.BAD_REQUEST, "invalid_" + e.getParameterName(), e.getParameterName(),
                e.getParameterName() + " is required");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> mismatch(MethodArgumentTypeMismatchException e) {
        return Problems.problem(HttpStatus.BAD_REQUEST, "invalid_" + e.getName(), e.getName(),
                e.getName() + " has an invalid value: " + e.getValue());
    }

}
