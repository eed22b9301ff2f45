package io.llmproxy.edge.http;

import io.llmproxy.edge.gateway.GatewayError;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Clock;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON answers the edge's Netty handlers send themselves (no application handler exists for
 * them), in the format of the API the request target belongs to ({@link ClientApi}), always with
 * {@code Connection: close}. Never names the server or its version.
 */
final class ErrorResponses {

    private final JsonMapper json;
    private final Clock clock;

    ErrorResponses(JsonMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    /**
     * @param status 400 (unparseable request or an encoded slash in the path), 404, 405, 408 (not received in time), 413, 414 (request line
     *               too long), 431 (headers too large), 503 (too many connections) or another 5xx
     * @param target the request target as far as it is known, or empty
     * @param cause  the codec's failure, or null (only logged by Reactor Netty, never shown)
     */
    FullHttpResponse response(int status, String target, Throwable cause) {
        return response(error(status), target);
    }

    /** @return {@code error} as a JSON response in the format of {@code target}'s API */
    FullHttpResponse response(GatewayError error, String target) {
        int status = error.status();
        byte[] body = ClientApi.of(target.isEmpty() ? null : target).errorBody(error, json, clock);
        FullHttpResponse response = json(HttpResponseStatus.valueOf(status), body);
        if (status == 503) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        }
        return response;
    }

    static GatewayError error(int status) {
        return switch (status) {
            case 400 -> GatewayError.of(400, "invalid_request_error", "invalid_request",
                    "The request could not be parsed as HTTP/1.1.", null);
            case 404 -> GatewayError.of(404, "invalid_request_error", "unknown_url", "Unknown request URL.", null);
            case 405 -> GatewayError.of(405, "invalid_request_error", "method_not_allowed",
                    "This method is not allowed on this URL.", null);
            case 408 -> GatewayError.of(408, "invalid_request_error", "request_timeout",
                    "The request was not received in time; the connection is closed.", null);
            case 413 -> GatewayError.of(413, "invalid_request_error", "request_too_large",
                    "Request body is larger than this gateway accepts.", null);
            case 414 -> GatewayError.of(414, "invalid_request_error", "uri_too_long",
                    "The request line is longer than this gateway accepts.", null);
            case 431 -> GatewayError.of(431, "invalid_request_error", "headers_too_large",
                    "The request headers are larger than this gateway accepts.", null);
            case 503 -> GatewayError.of(503, "server_error", "too_many_connections",
                    "The gateway has too many open connections; retry shortly.", null);
            default -> status >= 500
                    ? GatewayError.of(status, "server_error", "internal_error", "The gateway failed to handle this request.", null)
                    : GatewayError.of(status, "invalid_request_error", "invalid_request", "The request was refused.", null);
        };
    }

    /** @return a JSON answer of {@code status} with {@code body}, its length, and {@code Connection: close} */
    static FullHttpResponse json(HttpResponseStatus status, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }
}
