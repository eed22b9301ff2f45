package io.llmproxy.edge.chat;

import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.quota.QuotaDecision;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import java.util.Locale;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Error responses of every client API, in the codec's format; each one finishes the call (publishes
 * its usage event).
 */
public final class ClientResponses {

    private ClientResponses() {
    }

    /**
     * 401 for a missing, unknown, revoked or expired key; 403 for a key of a suspended tenant; 503
     * {@code not_ready} with {@code Retry-After} before the edge's snapshot has loaded.
     */
    public static Mono<ServerResponse> unauthorized(Call call, ClientCodec codec, ApiKeyAuthenticator.Status status) {
        if (status == ApiKeyAuthenticator.Status.NOT_READY) {
            call.refused("not_ready");
            ClientError error = notReady();
            call.finish(error.status(), Outcome.UPSTREAM_ERROR);
            return ServerResponse.status(error.status()).contentType(mediaType(codec.contentType()))
                    .header(HttpHeaders.RETRY_AFTER, Integer.toString(ApiKeyAuthenticator.NOT_READY_RETRY_AFTER_SECONDS))
                    .bodyValue(codec.error(error));
        }
        if (status == ApiKeyAuthenticator.Status.TENANT_SUSPENDED) {
            call.refused("tenant_suspended");
            return refuse(call, codec, new ClientError(403, "permission_error", "tenant_suspended",
                    "The organization of this API key is suspended.", null));
        }
        String message = switch (status) {
            case MISSING -> codec.missingKeyMessage();
            case REVOKED -> "This API key has been revoked.";
            case EXPIRED -> "This API key has expired.";
            default -> "Incorrect API key provided.";
        };
        call.refused("invalid_api_key:" + status.name().toLowerCase(Locale.ROOT));
        return refuse(call, codec, new ClientError(401, "invalid_request_error", "invalid_api_key", message, null));
    }

    /** 429 (or 503 when the quota store is down) with {@code Retry-After} and the rate-limit headers. */
    public static Mono<ServerResponse> quotaRefused(Call call, ClientCodec codec, QuotaDecision decision) {
        var refusal = decision.refusal();
        call.refused(refusal.reason());
        call.finish(refusal.status(), refusal.status() >= 500 ? Outcome.UPSTREAM_ERROR : Outcome.CLIENT_ERROR);
        return ServerResponse.status(refusal.status()).contentType(mediaType(codec.contentType()))
                .header(HttpHeaders.RETRY_AFTER, Long.toString(refusal.retryAfterSeconds()))
                .headers(h -> decision.headers().forEach(h::set))
                .bodyValue(codec.error(new ClientError(refusal.status(), refusal.type(), refusal.code(), refusal.message(), null)));
    }

    /** @return the 503 of a call that arrived before the edge's snapshot of the read model loaded */
    public static ClientError notReady() {
        return new ClientError(503, "server_error", "not_ready",
                "The gateway is starting and has not loaded its configuration yet; retry shortly.", null);
    }

    public static Mono<ServerResponse> refuse(Call call, ClientCodec codec, ClientError error) {
        call.finish(error.status(), error.status() >= 500 ? Outcome.UPSTREAM_ERROR : Outcome.CLIENT_ERROR);
        return ServerResponse.status(error.status()).contentType(mediaType(codec.contentType()))
                .bodyValue(codec.error(error));
    }

    public static Mono<ServerResponse> failure(Call call, ClientCodec codec, UpstreamFailure failure) {
        call.finish(failure.status(), failure.status() >= 500 ? Outcome.UPSTREAM_ERROR : Outcome.CLIENT_ERROR);
        ServerResponse.BodyBuilder builder = ServerResponse.status(failure.status())
                .contentType(mediaType(codec.contentType()));
        if (failure.retryAfter() != null) {
            builder.header(HttpHeaders.RETRY_AFTER, failure.retryAfter());
        }
        return builder.bodyValue(codec.error(ClientError.of(failure)));
    }

    /** @return the media type, without parsing for the usual ones */
    static MediaType mediaType(String contentType) {
        return switch (contentType) {
            case "application/json" -> MediaType.APPLICATION_JSON;
            case "text/event-stream" -> MediaType.TEXT_EVENT_STREAM;
            case "application/x-ndjson" -> MediaType.APPLICATION_NDJSON;
            default -> MediaType.parseMediaType(contentType);
        };
    }

    /** Copies and releases a buffer. */
    public static byte[] bytes(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
