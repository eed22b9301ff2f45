package io.llmproxy.simulator.openai;

import io.llmproxy.simulator.core.SimEmbeddings;
import io.llmproxy.simulator.core.SimTokenizer;
import io.llmproxy.simulator.http.InvalidKnobException;
import io.llmproxy.simulator.http.SimulatorKnobs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
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
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI {@code POST /v1/embeddings} (https://platform.openai.com/docs/api-reference/embeddings/create):
 * {@code {"model","input":string|string[],"encoding_format"?:"float"|"base64","dimensions"?}} →
 * {@code {"object":"list","data":[{"object":"embedding","index","embedding"}],"model","usage":{"prompt_tokens","total_tokens"}}}
 * with {@link SimEmbeddings} vectors (base64 = little-endian float32) and prompt tokens = Σ sim tokens of
 * the inputs (a token array counts its length). Authentication, the {@code x-sim-status} knob,
 * {@code sim-error-<status>} models and error bodies as in {@link OpenAiRoutes}.
 */
@Configuration(proxyBeanMethods = false)
public class OpenAiEmbeddingsRoutes {

    @Bean
    RouterFunction<ServerResponse> openAiEmbeddingsRouter(SimulatorKnobs knobs, JsonMapper mapper, OpenAiWireFormat wire) {
        return RouterFunctions.route()
                .POST("/v1/embeddings", request -> embeddings(request, mapper))
                .filter((request, next) -> Mono.defer(() -> {
                    String auth = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
                    if (auth == null || !auth.regionMatches(true, 0, "bearer ", 0, 7) || auth.substring(7).isBlank()) {
                        return Mono.error(OpenAiApiException.missingApiKey());
                    }
                    OptionalInt keyStatus = OpenAiRoutes.credentialKnob(request);
                    if (keyStatus.isPresent()) {
                        return Mono.error(OpenAiApiException.forStatus(keyStatus.getAsInt()));
                    }
                    OptionalInt status = knobs.forcedStatus(request.headers().asHttpHeaders());
                    if (status.isPresent()) {
                        return Mono.error(OpenAiApiException.forStatus(status.getAsInt()));
                    }
                    return next.handle(request);
                }).onErrorResume(e -> e instanceof OpenAiApiException || e instanceof InvalidKnobException,
                        e -> OpenAiRoutes.error(wire, e instanceof OpenAiApiException o ? o
                                : OpenAiApiException.invalidRequest(e.getMessage(), ((InvalidKnobException) e).header()))))
                .build();
    }

    private static Mono<ServerResponse> embeddings(ServerRequest request, JsonMapper mapper) {
        return request.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(bytes -> {
            JsonNode body;
            try {
                body = mapper.readTree(bytes);
            } catch (JacksonException e) {
                throw OpenAiApiException.invalidJson();
            }
            if (body == null || !body.isObject()) {
                throw OpenAiApiException.invalidJson();
            }
            JsonNode modelNode = body.get("model");
            if (modelNode == null || !modelNode.isString() || modelNode.asString().isBlank()) {
                throw OpenAiApiException.invalidRequest("you must provide a model parameter", "model");
            }
            String model = modelNode.asString();
            SimulatorKnobs.forcedStatus(model).ifPresent(status -> {
                throw OpenAiApiException.forStatus(status);
            });
            JsonNode input = body.get("input");
            List<String> texts = new ArrayList<>();
            int tokens = 0;
            if (input != null && input.isString()) {
                texts.add(input.asString());
                tokens += SimTokenizer.count(input.asString());
            } else if (input != null && input.isArray() && !input.isEmpty()) {
                if (input.get(0).isNumber()) {
                    texts.add(input.toString());
                    tokens += input.size();
                } else {
                    for (JsonNode item : input) {
                        if (item.isString()) {
                            texts.add(item.asString());
                            tokens += SimTokenizer.count(item.asString());
                        } else if (item.isArray()) {
                            texts.add(item.toString());
                            tokens += item.size();
                        } else {
                            throw OpenAiApiException.invalidRequest("'input' must be a string or an array", "input");
                        }
                    }
                }
            } else {
                throw OpenAiApiException.invalidRequest("'input' must be a non-empty string or array", "input");
            }
            int dimensions = body.path("dimensions").asInt(SimEmbeddings.DEFAULT_DIMENSIONS);
            if (dimensions < 1 || dimensions > SimEmbeddings.MAX_DIMENSIONS) {
                throw OpenAiApiException.invalidRequest("'dimensions' must be 1.." + SimEmbeddings.MAX_DIMENSIONS, "dimensions");
            }
            boolean base64 = "base64".equals(body.path("encoding_format").asString("float"));
            ObjectNode out = mapper.createObjectNode();
            out.put("object", "list");
            ArrayNode data = out.putArray("data");
            for (int i = 0; i < texts.size(); i++) {
                double[] vector = SimEmbeddings.vector(texts.get(i), dimensions);
                ObjectNode item = data.addObject();
                item.put("object", "embedding");
                item.put("index", i);
                if (base64) {
                    ByteBuffer buffer = ByteBuffer.allocate(4 * vector.length).order(ByteOrder.LITTLE_ENDIAN);
                    for (double v : vector) {
                        buffer.putFloat((float) v);
                    }
                    item.put("embedding", Base64.getEncoder().encodeToString(buffer.array()));
                } else {
                    ArrayNode values = item.putArray("embedding");
                    for (double v : vector) {
                        values.add(v);
                    }
                }
            }
            out.put("model", model);
            out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(out);
        });
    }
}
