package io.llmproxy.command.web;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.adminweb.Problems;
import io.llmproxy.adminweb.StrictJson;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The one place that turns admin-request failures into HTTP: RFC 9457 problem details
 * ({@code application/problem+json}) with extra members {@code code} and {@code field}.
 * 400 invalid input, 404 unknown tenant/provider/key, 409 conflicting state (including a command
 * that lost a race for its aggregate, {@code concurrent_modification}).
 */
@RestControllerAdvice
public class AdminErrorHandler {

    @ExceptionHandler(CommandRejected.class)
    ResponseEntity<ProblemDetail> rejected(CommandRejected e) {
        HttpStatus status = switch (e.kind()) {
            case INVALID -> HttpStatus.BAD_REQUEST;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
        };
        return Problems.problem(status, e.code(), e.field(), e.getMessage());
    }

    /**
     * A command that kept losing the race for its aggregate against another command-side instance
     * (the event store's sequence constraint; retried first, see {@code CommandConflicts}) → 409
     * {@code concurrent_modification} with {@code Retry-After: 1}. Nothing of it was stored.
     */
    @ExceptionHandler({ConcurrencyException.class, AggregateStreamCreationException.class})
    ResponseEntity<ProblemDetail> concurrent(Exception e) {
        ResponseEntity<ProblemDetail> problem = Problems.problem(HttpStatus.CONFLICT, "concurrent_modification", null,
                "another request changed the same resource at the same moment; repeat the request");
        return ResponseEntity.status(problem.getStatusCode()).headers(problem.getHeaders()).header("Retry-After", "1")
                .body(problem.getBody());
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ResponseEntity<ProblemDetail> invalid(MethodArgumentNotValidException e) {
        var error = e.getBindingResult().getFieldErrors().stream().findFirst();
        String field = error.map(f -> f.getField()).orElse(null);
        String message = error.map(f -> f.getField() + " " + f.getDefaultMessage()).orElse("invalid request");
        return Problems.problem(HttpStatus.BAD_REQUEST, "invalid_" + (field == null ? "request" : field), field, message);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
        String field = StrictJson.fieldOf(e);
        if (field == null) {
            return Problems.problem(HttpStatus.BAD_REQUEST, "invalid_json", null, "request body is not valid JSON for this endpoint");
        }
        if (hasCause(e, tools.jackson.databind.exc.InvalidNullException.class)) {
            return Problems.problem(HttpStatus.BAD_REQUEST, "invalid_" + field, field, field + " must not be null");
        }
        return Problems.problem(HttpStatus.BAD_REQUEST, "invalid_" + field, field,
                field + " is not a known field or does not have the expected type (see the README's admin API)");
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
