package io.llmproxy.simulator.ollama;

import io.llmproxy.simulator.http.InvalidKnobException;
import io.llmproxy.simulator.http.SimulatorKnobs;
import java.time.Clock;
import java.util.Map;
import java.util.OptionalInt;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the Ollama wire format: {@code POST /api/chat}, {@code POST /api/embed}, {@code GET /api/tags}.
 * Ollama has no authentication (any {@code Authorization} header is accepted and ignored). The
 * {@code x-sim-status} knob answers that status with {@code {"error":"…"}} (429 adds
 * {@code Retry-After: 1}); {@link OllamaApiException}s and {@link InvalidKnobException}s (400) are
 * rendered the same way.
 */
@Configuration(proxyBeanMethods = false)
public class OllamaRoutes {

    @Bean
    OllamaHandler ollamaHandler(SimulatorKnobs knobs, JsonMapper mapper) {
        return new OllamaHandler(knobs, mapper, Clock.systemUTC());
    }

    @Bean
    RouterFunction<ServerResponse> ollamaRouter(OllamaHandler handler, SimulatorKnobs knobs) {
        return RouterFunctions.route()
                .POST("/api/chat", handler::chat)
                .POST("/api/embed", handler::embed)
                .GET("/api/tags", handler::tags)
                .filter((request, next) -> Mono.defer(() -> {
                    OptionalInt status = knobs.forcedStatus(request.headers().asHttpHeaders());
                    if (status.isPresent()) {
                        return Mono.error(OllamaApiException.forStatus(status.getAsInt(), "?"));
                    }
                    return next.handle(request);
                }).onErrorResume(e -> e instanceof OllamaApiException || e instanceof InvalidKnobException,
                        e -> error(e instanceof OllamaApiException o ? o : new OllamaApiException(400, e.getMessage()))))
                .build();
    }

    static Mono<ServerResponse> error(OllamaApiException error) {
        ServerResponse.BodyBuilder builder = ServerResponse.status(error.status()).contentType(MediaType.APPLICATION_JSON);
        if (error.status() == 429) {
            builder.header(HttpHeaders.RETRY_AFTER, "1");
        }
        return builder.bodyValue(Map.of("error", error.getMessage()));
    }
}
