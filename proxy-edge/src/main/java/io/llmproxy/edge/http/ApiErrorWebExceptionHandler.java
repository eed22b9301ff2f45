package io.llmproxy.edge.http;

import io.llmproxy.edge.gateway.GatewayError;
import java.time.Clock;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every error that leaves the application without a handler's own answer (no route: 404, wrong
 * method: 405, the framework's 400/406/413/415, a bug: 500) is answered in the format of the API
 * the path belongs to ({@link ClientApi}), never in Spring's {@code {"timestamp","status","error",
 * "path"}} shape and never with a stack trace or a server version. Ordered before Spring Boot's
 * {@code DefaultErrorWebExceptionHandler} (-1). The CORS headers ({@code Access-Control-*},
 * {@code Vary}) already set by {@link EdgeCors} are kept; every other header is replaced.
 */
@Component
@Order(-2)
class ApiErrorWebExceptionHandler implements WebExceptionHandler {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApiErrorWebExceptionHandler.class);

    private final JsonMapper json;
    private final Clock clock;

    ApiErrorWebExceptionHandler(JsonMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(ex);
        }
        int status = ex instanceof ResponseStatusException rse ? rse.getStatusCode().value()
                : ex instanceof RequestBodyException rbe ? rbe.status() : 500;
        if (status >= 500 && ex instanceof ResponseStatusException) {
            LOG.warn("{} {} failed: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath().value(), ex.toString());
        } else if (status >= 500) {
            // unexpected: the stack trace is what finds it (it holds code locations, never request content)
            LOG.warn("{} {} failed: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath().value(), ex.toString(), ex);
        }
        String path = exchange.getRequest().getPath().value();
        GatewayError error = error(status, exchange.getRequest().getMethod().name(), path, ex);
        byte[] body = ClientApi.of(path).errorBody(error, json, clock);
        response.setStatusCode(HttpStatusCode.valueOf(status));
        // the CORS headers EdgeCors set stay, so a browser on an allowed origin can read the error
        HttpHeaders cors = new HttpHeaders();
        response.getHeaders().forEach((name, values) -> {
            if (name.regionMatches(true, 0, "Access-Control-", 0, 15) || HttpHeaders.VARY.equalsIgnoreCase(name)) {
                cors.addAll(name, values);
            }
        });
        response.getHeaders().clear();
        response.getHeaders().addAll(cors);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getHeaders().setContentLength(body.length);
        if (ex instanceof ResponseStatusException rse && status == 405) {
            rse.getHeaders().forEach((name, values) -> response.getHeaders().addAll(name, values));
        }
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    private static GatewayError error(int status, String method, String path, Throwable ex) {
        String shownPath = path.length() > 128 ? path.substring(0, 128) + "…" : path;
        return switch (status) {
            case 404 -> GatewayError.of(404, "invalid_request_error", "unknown_url",
                    "Unknown request URL: " + method + " " + shownPath + ".", null);
            case 405 -> GatewayError.of(405, "invalid_request_error", "method_not_allowed",
                    "Method " + method + " is not allowed on " + shownPath + ".", null);
            case 408, 415 -> GatewayError.of(status, "invalid_request_error",
                    ex instanceof RequestBodyException rbe ? rbe.code() : status == 408 ? "request_timeout" : "unsupported_media_type",
                    ex instanceof RequestBodyException ? ex.getMessage() : "The request's Content-Type is not supported.", null);
            case 413 -> ErrorResponses.error(413);
            default -> status >= 500
                    ? GatewayError.of(status, "server_error", "internal_error", "The gateway failed to handle this request.", null)
                    : GatewayError.of(status, "invalid_request_error", "invalid_request", "The request was refused.", null);
        };
    }
}
