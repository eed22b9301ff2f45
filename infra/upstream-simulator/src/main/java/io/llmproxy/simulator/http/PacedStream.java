package io.llmproxy.simulator.http;

import io.llmproxy.simulator.core.LatencyProfile;
import io.llmproxy.simulator.core.SimScenario;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@code text/event-stream} response of already rendered events (each a complete
 * {@code event:/data:} block ending in a blank line), written and flushed one by one: the first after
 * the time to first token, each later one an inter-token delay after the previous.
 */
public final class PacedStream {

    private PacedStream() {
    }

    public static Mono<ServerResponse> sse(List<String> events, LatencyProfile latency) {
        Flux<String> paced = Flux.fromIterable(events).index().concatMap(t -> {
            Duration delay = t.getT1() == 0 ? latency.ttft() : latency.interToken();
            Mono<String> event = Mono.just(t.getT2());
            return delay.isZero() ? event : Mono.delay(delay).then(event);
        });
        return flushed(paced, MediaType.TEXT_EVENT_STREAM);
    }

    /**
     * A streamed response of rendered chunks (SSE event blocks or NDJSON lines), each written and
     * flushed as it is emitted; {@code Cache-Control: no-cache}.
     */
    public static Mono<ServerResponse> flushed(Flux<String> chunks, MediaType contentType) {
        return ServerResponse.ok()
                .contentType(contentType)
                .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .body((message, context) -> message.writeAndFlushWith(chunks.map(chunk ->
                        Mono.just(message.bufferFactory().wrap(chunk.getBytes(StandardCharsets.UTF_8))))));
    }

    /** @return {@code value}, produced after {@code delay} (at once for a zero delay) */
    public static Mono<String> delayed(Duration delay, Supplier<String> value) {
        Mono<String> v = Mono.fromSupplier(value);
        return delay.isZero() ? v : Mono.delay(delay).then(v);
    }

    /** @return {@code response}, subscribed after {@code delay} (at once for a zero delay) */
    public static Mono<ServerResponse> after(Duration delay, Mono<ServerResponse> response) {
        return delay.isZero() ? response : Mono.delay(delay).then(response);
    }

    /** Where a fault cuts a stream of {@code contentEvents} content events: after half of them, at least one. */
    public static int faultPoint(int contentEvents) {
        return SimScenario.tokensBeforeFault(contentEvents);
    }
}
