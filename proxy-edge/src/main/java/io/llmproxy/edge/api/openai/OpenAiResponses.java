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

    /** 401 for a missing, unknown, revoked or expired key; 403 for a key of a suspended tenant. */
    static Mono<ServerResponse> unauthorized(Call call, ApiKeyAuthenticator.Status status) {
        if (status == ApiKeyAuthenticator.Status.TENANT_SUSPENDED) {
            call.refused("tenant_suspended");
            return refuse(call, 403, "The organization of this API key is suspended.", "permission_error", null,
                    "tenant_suspended");
        }
        String message = switch (status) {
            case MISSING -> "You didn't provide an API key. You need to provide your API key in an Authorization header "
                    + "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
            case REVOKED -> "This API key has been revoked.";
            case EXPIRED -> "This API key has expired.";
            default -> "Incorrect API key provided.";
        };
        call.refused("invalid_api_key:" + status.name().toLowerCase(java.util.Locale.ROOT));
        return refuse(call, 401, message, "invalid_request_error", null, "invalid_api_key");
    }

    /** 429 (or 503 when the quota store is down) with {@code Retry-After} and the rate-limit headers. */
    static Mono<ServerResponse> quotaRefused(Call call, io.llmproxy.edge.quota.QuotaDecision decision) {
        var refusal = decision.refusal();
        call.refused(refusal.reason());
        call.finish(refusal.status(), refusal.status() >= 500 ? Outcome.UPSTREAM_ERROR : Outcome.CLIENT_ERROR);
        return ServerResponse.status(refusal.status()).contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(refusal.retryAfterSeconds()))
                .headers(h -> decision.headers().forEach(h::set))
                .bodyValue(OpenAiErrors.body(refusal.message(), refusal.type(), null, refusal.code()));
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
