package io.llmproxy.adminweb;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin apps' {@code /error}: replaces Spring Boot's {@code BasicErrorController} (whose
 * {@code {"timestamp","status","error","path"}} body is not problem JSON, and whose direct
 * {@code GET /error} answered status 999). Every error the container forwards here (an exception
 * no handler mapped, a {@code sendError}) becomes problem JSON with the same status and a
 * {@code code}; 5xx details never carry the exception's message or stack. A request sent to
 * {@code /error} itself (after authentication) is 404 {@code no_such_endpoint}.
 */
@RestController
public class AdminErrorController implements ErrorController {

    @RequestMapping("${server.error.path:${error.path:/error}}")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (!(code instanceof Integer status) || status < 400 || status > 599) {
            ProblemWriter.write(response, 404, "no_such_endpoint", null, "no endpoint " + request.getRequestURI());
            return;
        }
        Throwable error = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        if (error != null && StoreUnavailable.isStoreUnavailable(error)) {
            response.setHeader("Retry-After", Integer.toString(StoreUnavailable.RETRY_AFTER_SECONDS));
            ProblemWriter.write(response, 503, StoreUnavailable.CODE, null,
                    "the configuration store (PostgreSQL) is unavailable; retry later");
            return;
        }
        ProblemWriter.write(response, status, codeOf(status), null, detailOf(status));
    }

    /** @return the problem code of a container error status, e.g. 404 → {@code no_such_endpoint} */
    static String codeOf(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "no_such_endpoint";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 413 -> "payload_too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 431 -> "request_header_fields_too_large";
            case 501 -> "not_implemented";
            case 503 -> "unavailable";
            case 505 -> "http_version_not_supported";
            default -> status >= 500 ? "internal_error" : "client_error";
        };
    }

    private static String detailOf(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        String phrase = known == null ? "error" : known.getReasonPhrase().toLowerCase(java.util.Locale.ROOT);
        return status >= 500 ? phrase + ": the server could not complete the request (see its log)" : phrase;
    }
}
