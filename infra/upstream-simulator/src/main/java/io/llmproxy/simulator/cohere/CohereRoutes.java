package io.llmproxy.simulator.cohere;

import io.llmproxy.simulator.http.InvalidKnobException;
import io.llmproxy.simulator.http.SimulatorKnobs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the Cohere v2 wire format: {@code POST /v2/chat} and {@code POST /v2/embed}, in this order:
 * {@code Authorization: Bearer <non-empty>} required (else 401); the {@code x-sim-status} knob
 * (Cohere's error body, 429 adds {@code Retry-After: 1}); the handler. Errors are
 * {@code {"id":"<uuid>","message":"…"}} (https://docs.cohere.com/reference/errors).
 */
@Configuration(proxyBeanMethods = false)
public class CohereRoutes {

    private static final String BEARER = "bearer ";

    @Bean
    CohereHandler cohereHandler(SimulatorKnobs knobs, JsonMapper mapper) {
        return new CohereHandler(knobs, mapper);
    }

    @Bean
    RouterFunction<ServerResponse> cohereRouter(CohereHandler handler, SimulatorKnobs knobs) {
        return RouterFunctions.route()
                .POST("/v2/chat", handler::chat)
                .POST("/v2/embed", handler::embed)
                .filter((request, next) -> Mono.defer(() -> {
                    if (!authorized(request)) {
                        return Mono.error(CohereApiException.missingToken());
                    }
                    OptionalInt status = knobs.forcedStatus(request.headers().asHttpHeaders());
                    if (status.isPresent()) {
                        return Mono.error(CohereApiException.forStatus(status.getAsInt()));
                    }
                    return next.handle(request);
                }).onErrorResume(e -> e instanceof CohereApiException || e instanceof InvalidKnobException,
                        e -> error(e instanceof CohereApiException c ? c : new CohereApiException(400, "invalid request: " + e.getMessage()))))
                .build();
    }

    private static boolean authorized(ServerRequest request) {
        String value = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
        return value != null && value.regionMatches(true, 0, BEARER, 0, BEARER.length())
                && !value.substring(BEARER.length()).isBlank();
    }

    static Mono<ServerResponse> error(CohereApiException error) {
        ServerResponse.BodyBuilder builder = ServerResponse.status(error.status()).contentType(MediaType.APPLICATION_JSON);
        if (error.status() == 429) {
            builder.header(HttpHeaders.RETRY_AFTER, "1");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", java.util.UUID.nameUUIDFromBytes(error.getMessage().getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
        body.put("message", error.getMessage());
        return builder.bodyValue(body);
    }
}
