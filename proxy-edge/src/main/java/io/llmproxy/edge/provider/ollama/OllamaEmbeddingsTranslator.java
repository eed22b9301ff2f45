package io.llmproxy.edge.provider.ollama;

import io.llmproxy.edge.provider.EmbeddingInputs;
import io.llmproxy.edge.provider.EmbeddingsTranslator;
import io.llmproxy.edge.provider.TokenUsage;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.provider.UpstreamFailures;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Canonical (OpenAI embeddings) ⇄ Ollama {@code POST /api/embed}
 * (https://github.com/ollama/ollama/blob/main/docs/api.md#generate-embeddings): request
 * {@code {"model","input":[texts],"dimensions"?}}; response {@code {"model","embeddings":[[…]],
 * "total_duration","load_duration","prompt_eval_count"}} → {@code data[i].embedding}, usage
 * {@code prompt_eval_count} → {@code prompt_tokens}. Token-array input is refused (400).
 */
final class OllamaEmbeddingsTranslator implements EmbeddingsTranslator {

    private final JsonMapper json;
    private String providerName = "provider";
    private String model = "";
    private boolean base64;
    private TokenUsage reported;

    OllamaEmbeddingsTranslator(JsonMapper json) {
        this.json = json;
    }

    @Override
    public UpstreamRequest request(ObjectNode request, ProviderEntry provider, String providerModel) {
        this.providerName = provider.name();
        this.model = providerModel;
        this.base64 = EmbeddingInputs.base64(request);
        ObjectNode body = json.createObjectNode();
        body.put("model", providerModel);
        ArrayNode input = body.putArray("input");
        EmbeddingInputs.texts(request, "ollama").forEach(input::add);
        if (request.path("dimensions").isNumber()) {
            body.put("dimensions", request.get("dimensions").asInt());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (provider.apiKey() != null && !provider.apiKey().isBlank()) {
            headers.put("Authorization", "Bearer " + provider.apiKey());
        }
        headers.put("Content-Type", "application/json");
        headers.put("Accept", "application/json");
        return new UpstreamRequest(OllamaUrls.api(provider.baseUrl(), "embed"), headers, json.writeValueAsBytes(body));
    }

    @Override
    public Translated response(byte[] body) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JacksonException e) {
            return new Translated(new byte[0], null, false, UpstreamFailures.unreadable(providerName, "a response that is not JSON"));
        }
        JsonNode embeddings = node.get("embeddings");
        if (embeddings == null || !embeddings.isArray()) {
            return new Translated(new byte[0], null, false, UpstreamFailures.unreadable(providerName, "a response without embeddings"));
        }
        reported = new TokenUsage(node.path("prompt_eval_count").asLong(0), 0);
        ObjectNode out = json.createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        int index = 0;
        for (JsonNode vector : embeddings) {
            EmbeddingInputs.addItem(data, index++, vector, base64);
        }
        out.put("model", node.path("model").asString(model));
        ObjectNode usage = out.putObject("usage");
        usage.put("prompt_tokens", reported.promptTokens());
        usage.put("total_tokens", reported.promptTokens());
        return new Translated(json.writeValueAsBytes(out), reported, true, null);
    }

    @Override
    public UpstreamFailure error(int status, byte[] body, String retryAfter) {
        String message = null;
        try {
            message = json.readTree(body).path("error").asString(null);
        } catch (JacksonException | IllegalArgumentException e) {
            // not JSON: the status only
        }
        return UpstreamFailures.forStatus(providerName, status, message, retryAfter);
    }

    @Override
    public TokenUsage usageSoFar() {
        return reported != null ? reported : TokenUsage.NONE;
    }

    @Override
    public boolean usageReported() {
        return reported != null;
    }
}
