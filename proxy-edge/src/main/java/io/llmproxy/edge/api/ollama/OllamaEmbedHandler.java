package io.llmproxy.edge.api.ollama;

import io.llmproxy.edge.embeddings.EmbeddingsGateway;
import io.llmproxy.edge.gateway.ErrorFormat;
import io.llmproxy.edge.http.JsonBody;
import io.llmproxy.edge.provider.UnsupportedRequestException;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import io.llmproxy.edge.http.EdgeRequest;
import io.llmproxy.edge.http.EdgeResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Ollama's {@code POST /api/embed} for Ollama clients
 * (https://github.com/ollama/ollama/blob/main/docs/api.md#generate-embeddings), to any provider:
 * request {@code {"model","input":string|string[],"dimensions"?}} ({@code truncate}, {@code options},
 * {@code keep_alive} are accepted and ignored); response {@code {"model","embeddings":[[…]],
 * "total_duration","load_duration","prompt_eval_count"}} with durations in ns ({@code total_duration}
 * = time in the gateway, {@code load_duration} 0) and {@code prompt_eval_count} the provider's
 * prompt tokens. Ollama clients send no key: the gateway key goes in {@code Authorization: Bearer}.
 * Errors are Ollama's {@code {"error":"…"}} with the status of the failure (400, 401, 403, 404, 413,
 * 429 with {@code Retry-After}, 502, 503, 504).
 */
@Component
class OllamaEmbedHandler {

    private final EmbeddingsGateway gateway;
    private final JsonMapper json;
    /** Ollama's {@code {"error":"…"}}: the gateway error's message as it is */
    private final ErrorFormat errors;

    OllamaEmbedHandler(EmbeddingsGateway gateway, JsonMapper json) {
        this.gateway = gateway;
        this.json = json;
        this.errors = error -> json.writeValueAsBytes(Map.of("error", error.message()));
    }

    Mono<EdgeResponse> handle(EdgeRequest request) {
        long start = System.nanoTime();
        return gateway.embed(request::header, JsonBody.read(request),
                this::canonical, errors, (canonical, model, headers) -> {
                    ObjectNode out = json.createObjectNode();
                    out.put("model", model);
                    ArrayNode embeddings = out.putArray("embeddings");
                    JsonNode[] ordered = new JsonNode[canonical.path("data").size()];
                    for (JsonNode item : canonical.path("data")) {
                        int index = item.path("index").asInt(0);
                        if (index >= 0 && index < ordered.length) {
                            ordered[index] = item.get("embedding");
                        }
                    }
                    for (JsonNode vector : ordered) {
                        embeddings.add(vector == null ? json.createArrayNode() : vector);
                    }
                    out.put("total_duration", System.nanoTime() - start);
                    out.put("load_duration", 0);
                    out.put("prompt_eval_count", canonical.path("usage").path("prompt_tokens").asLong(0));
                    return Mono.just(EdgeResponse.json(json.writeValueAsBytes(out)).headers(headers));
                });
    }

    /** Ollama's body → the canonical (OpenAI) one: {@code model}, {@code input}, {@code dimensions}; floats always. */
    private ObjectNode canonical(JsonNode node) {
        if (!(node instanceof ObjectNode body)) {
            throw new UnsupportedRequestException("The request body must be a JSON object.", null);
        }
        ObjectNode out = json.createObjectNode();
        if (body.has("model")) {
            out.set("model", body.get("model"));
        }
        JsonNode input = body.get("input");
        if (input == null || !(input.isString() || input.isArray())) {
            throw new UnsupportedRequestException("input is required: a string or an array of strings", "input");
        }
        for (JsonNode item : input.isArray() ? input : json.createArrayNode()) {
            if (!item.isString()) {
                throw new UnsupportedRequestException("input must be a string or an array of strings", "input");
            }
        }
        out.set("input", input);
        if (body.path("dimensions").isNumber()) {
            out.set("dimensions", body.get("dimensions"));
        }
        return out;
    }
}
