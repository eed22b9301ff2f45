package io.llmproxy.simulator.http;

import io.llmproxy.simulator.core.LatencyProfile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
        return ServerResponse.ok()
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .body((message, context) -> message.writeAndFlushWith(paced.map(event ->
                        Mono.just(message.bufferFactory().wrap(event.getBytes(StandardCharsets.UTF_8))))));
    }

    /** Where a fault cuts a stream of {@code contentEvents} content events: after half of them, at least one. */
    public static int faultPoint(int contentEvents) {
        return Math.max(1, contentEvents / 2);
    }
}
