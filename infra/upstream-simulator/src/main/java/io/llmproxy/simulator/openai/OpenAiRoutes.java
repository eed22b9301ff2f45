package io.llmproxy.simulator.openai;

import io.llmproxy.simulator.http.InvalidKnobException;
import io.llmproxy.simulator.http.SimulatorKnobs;
import java.time.Clock;
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
 * Wires the OpenAI wire format: the routes {@code POST /v1/chat/completions} and {@code GET /v1/models}
 * and, for both, in this order:
 * <ol>
 *   <li>authentication: {@code Authorization: Bearer <non-empty>} is required (any key is accepted,
 *       except the credential knobs: a key containing {@code sim-key-401} is refused with 401
 *       {@code invalid_api_key}, one containing {@code sim-key-429} is rate-limited with 429 and
 *       {@code Retry-After: 1}, so a gateway's rotation of several credentials can be tested);
 *       otherwise 401 {@code invalid_api_key} (OpenAI, "Authentication",
 *       https://platform.openai.com/docs/api-reference/authentication);</li>
 *   <li>the {@code x-sim-status} knob: answer that status with OpenAI's error body (429 adds
 *       {@code Retry-After: 1}, seconds);</li>
 *   <li>the handler; {@link OpenAiApiException}s and {@link InvalidKnobException}s (as 400) become
 *       OpenAI error bodies.</li>
 * </ol>
 */
@Configuration(proxyBeanMethods = false)
public class OpenAiRoutes {

    private static final String BEARER = "bearer ";

    @Bean
    OpenAiWireFormat openAiWireFormat(JsonMapper mapper) {
        return new OpenAiWireFormat(mapper);
    }

    @Bean
    OpenAiChatHandler openAiChatHandler(SimulatorKnobs knobs, JsonMapper mapper, OpenAiWireFormat wire) {
        return new OpenAiChatHandler(knobs, new OpenAiRequestParser(mapper), wire, Clock.systemUTC());
    }

    @Bean
    RouterFunction<ServerResponse> openAiRouter(OpenAiChatHandler handler, SimulatorKnobs knobs,
                                                OpenAiWireFormat wire) {
        return RouterFunctions.route()
                .POST("/v1/chat/completions", handler::chatCompletions)
                .GET("/v1/models", handler::listModels)
                .filter((request, next) -> Mono.defer(() -> {
                    if (!authorized(request)) {
                        return Mono.error(OpenAiApiException.missingApiKey());
                    }
                    OptionalInt keyStatus = credentialKnob(request);
                    if (keyStatus.isPresent()) {
                        return Mono.error(OpenAiApiException.forStatus(keyStatus.getAsInt()));
                    }
                    OptionalInt status = knobs.forcedStatus(request.headers().asHttpHeaders());
                    if (status.isPresent()) {
                        return Mono.error(OpenAiApiException.forStatus(status.getAsInt()));
                    }
                    return next.handle(request);
                }).onErrorResume(e -> e instanceof OpenAiApiException || e instanceof InvalidKnobException,
                        e -> error(wire, toOpenAi(e))))
                .build();
    }

    private static OpenAiApiException toOpenAi(Throwable e) {
        if (e instanceof InvalidKnobException knob) {
            return OpenAiApiException.invalidRequest(knob.getMessage(), knob.header());
        }
        return (OpenAiApiException) e;
    }

    /** @return 401 or 429 for a credential knob ({@code sim-key-401}, {@code sim-key-429}) in the bearer key */
    static OptionalInt credentialKnob(ServerRequest request) {
        String value = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
        if (value == null) {
            return OptionalInt.empty();
        }
        if (value.contains("sim-key-401")) {
            return OptionalInt.of(401);
        }
        return value.contains("sim-key-429") ? OptionalInt.of(429) : OptionalInt.empty();
    }

    private static boolean authorized(ServerRequest request) {
        String value = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
        return value != null
                && value.regionMatches(true, 0, BEARER, 0, BEARER.length())
                && !value.substring(BEARER.length()).isBlank();
    }

    /** The error response: status, JSON error body, and {@code Retry-After: 1} on 429. */
    static Mono<ServerResponse> error(OpenAiWireFormat wire, OpenAiApiException error) {
        ServerResponse.BodyBuilder builder = ServerResponse.status(error.status()).contentType(MediaType.APPLICATION_JSON);
        if (error.status() == 429) {
            builder.header(HttpHeaders.RETRY_AFTER, "1");
        }
        return builder.bodyValue(wire.error(error));
    }
}
