package io.llmproxy.edge.gateway;

import io.llmproxy.edge.call.Call;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import io.llmproxy.edge.http.EdgeResponse;
import reactor.core.publisher.Mono;

/**
 * Turns a {@link GatewayError} into the client's HTTP response, the same way for every client
 * format: the error's status, {@code Content-Type} of the format, {@code Retry-After} when the error
 * has one, its extra headers ({@code x-ratelimit-*} of a quota refusal), and the format's body.
 */
public final class GatewayResponses {

    private GatewayResponses() {
    }

    /**
     * A rendered error, before it becomes an {@link EdgeResponse}.
     *
     * @param status      HTTP status
     * @param contentType the format's error {@code Content-Type}
     * @param headers     response headers ({@code Retry-After} in seconds, {@code x-ratelimit-*}); never a secret
     * @param body        the format's error body
     */
    public record Rendered(int status, String contentType, Map<String, String> headers, byte[] body) {
    }

    /** @return the error as the format writes it (pure: no usage event) */
    public static Rendered render(ErrorFormat format, GatewayError error) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (error.retryAfter() != null) {
            headers.put(HttpHeaders.RETRY_AFTER, error.retryAfter());
        }
        headers.putAll(error.headers());
        return new Rendered(error.status(), format.contentType(), headers, format.error(error));
    }

    /**
     * Finishes the call with the error (its usage event gets the error's {@code reason}, status and
     * outcome; later finishes do nothing) and answers it in the client's format once that event is
     * durable ({@link Call#synced()}).
     */
    public static Mono<EdgeResponse> refuse(Call call, ErrorFormat format, GatewayError error) {
        finish(call, error);
        return Mono.just(respond(render(format, error))).delayUntil(response -> call.synced());
    }

    /** Records the error on the call and publishes its usage event (once). */
    public static void finish(Call call, GatewayError error) {
        if (error.reason() != null) {
            call.refused(error.reason());
        }
        call.finish(error.status(), error.outcome());
    }

    /** @return the rendered error as an answer */
    public static EdgeResponse respond(Rendered rendered) {
        return EdgeResponse.whole(rendered.status(), rendered.contentType(), rendered.body()).headers(rendered.headers());
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
