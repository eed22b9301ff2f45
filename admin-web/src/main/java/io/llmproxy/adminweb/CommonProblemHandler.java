package io.llmproxy.adminweb;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Framework-level failures of the admin APIs, in the same problem JSON as every other error:
 * unknown path (404), wrong method (405), wrong content type (415).
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class CommonProblemHandler {

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ProblemDetail> notFound(NoResourceFoundException e) {
        return Problems.problem(HttpStatus.NOT_FOUND, "no_such_endpoint", null, "no endpoint " + e.getResourcePath());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ProblemDetail> method(HttpRequestMethodNotSupportedException e) {
        return Problems.problem(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed", null,
                e.getMethod() + " is not supported here; supported: " + e.getSupportedHttpMethods());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ProblemDetail> mediaType(HttpMediaTypeNotSupportedException e) {
        return Problems.problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", null,
                "send the body as application/json (Content-Type: application/json)");
    }
}
