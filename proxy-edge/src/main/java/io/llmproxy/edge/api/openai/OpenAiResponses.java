package io.llmproxy.edge.api.openai;

import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** Error responses of the OpenAI-format API; each one finishes the call (publishes its usage event). */
final class OpenAiResponses {

    private OpenAiResponses() {
    }

    static Mono<ServerResponse> unauthorized(Call call, ApiKeyAuthenticator.Status status) {
        String message = switch (status) {
            case MISSING -> "You didn't provide an API key. You need to provide your API key in an Authorization header "
                    + "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
            case REVOKED -> "This API key has been revoked.";
            default -> "Incorrect API key provided.";
        };
        return refuse(call, 401, message, "invalid_request_error", null, "invalid_api_key");
    }

    static Mono<ServerResponse> badRequest(Call call, String message, String param) {
        return refuse(call, 400, message, "invalid_request_error", param, param == null ? "invalid_json" : "invalid_" + param);
    }

    static Mono<ServerResponse> refuse(Call call, int status, String message, String type, String param, String code) {
        call.finish(status, status >= 500 ? Outcome.UPSTREAM_ERROR : Outcome.CLIENT_ERROR);
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(OpenAiErrors.body(message, type, param, code));
    }

    static Mono<ServerResponse> failure(Call call, UpstreamFailure failure) {
        call.finish(failure.status(), failure.status() >= 500 ? Outcome.UPSTREAM_ERROR : Outcome.CLIENT_ERROR);
        ServerResponse.BodyBuilder builder = ServerResponse.status(failure.status()).contentType(MediaType.APPLICATION_JSON);
        if (failure.retryAfter() != null) {
            builder.header(HttpHeaders.RETRY_AFTER, failure.retryAfter());
        }
        return builder.bodyValue(OpenAiErrors.body(failure.message(), failure.type(), null, failure.code()));
    }

    /** Copies and releases a buffer. */
    static byte[] bytes(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
