package io.llmproxy.edge.provider.cohere;

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
 * Canonical (OpenAI embeddings) ⇄ Cohere Embed API v2, {@code POST /v2/embed}
 * (https://docs.cohere.com/reference/embed): request {@code {"model","texts":[…],"input_type",
 * "embedding_types":["float"],"output_dimension"?}} where {@code input_type} is
 * {@value #DEFAULT_INPUT_TYPE} unless the canonical request carries Cohere's own {@code input_type};
 * response {@code {"id","embeddings":{"float":[[…]]},"texts","meta":{"billed_units":{"input_tokens"}}}}
 * → {@code data[i].embedding}, usage {@code meta.billed_units.input_tokens} → {@code prompt_tokens}.
 */
final class CohereEmbeddingsTranslator implements EmbeddingsTranslator {

    /** Cohere's {@code input_type} when the client gives none: texts to be stored and searched. */
    static final String DEFAULT_INPUT_TYPE = "search_document";

    private final JsonMapper json;
    private String providerName = "provider";
    private String model = "";
    private boolean base64;
    private TokenUsage reported;

    CohereEmbeddingsTranslator(JsonMapper json) {
        this.json = json;
    }

    @Override
    public UpstreamRequest request(ObjectNode request, ProviderEntry provider, String providerModel) {
        this.providerName = provider.name();
        this.model = providerModel;
        this.base64 = EmbeddingInputs.base64(request);
        ObjectNode body = json.createObjectNode();
        body.put("model", providerModel);
        ArrayNode texts = body.putArray("texts");
        EmbeddingInputs.texts(request, "cohere").forEach(texts::add);
        body.put("input_type", request.path("input_type").isString() ? request.get("input_type").asString() : DEFAULT_INPUT_TYPE);
        body.putArray("embedding_types").add("float");
        if (request.path("dimensions").isNumber()) {
            body.put("output_dimension", request.get("dimensions").asInt());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + provider.apiKey());
        headers.put("Content-Type", "application/json");
        headers.put("Accept", "application/json");
        return new UpstreamRequest(CohereUrls.v2(provider.baseUrl(), "embed"), headers, json.writeValueAsBytes(body));
    }

    @Override
    public Translated response(byte[] body) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JacksonException e) {
            return new Translated(new byte[0], null, false, UpstreamFailures.unreadable(providerName, "a response that is not JSON"));
        }
        JsonNode vectors = node.path("embeddings").get("float");
        if (vectors == null || !vectors.isArray()) {
            return new Translated(new byte[0], null, false, UpstreamFailures.unreadable(providerName, "a response without float embeddings"));
        }
        reported = new TokenUsage(node.path("meta").path("billed_units").path("input_tokens").asLong(0), 0);
        ObjectNode out = json.createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        int index = 0;
        for (JsonNode vector : vectors) {
            EmbeddingInputs.addItem(data, index++, vector, base64);
        }
        out.put("model", model);
        ObjectNode usage = out.putObject("usage");
        usage.put("prompt_tokens", reported.promptTokens());
        usage.put("total_tokens", reported.promptTokens());
        return new Translated(json.writeValueAsBytes(out), reported, true, null);
    }

    @Override
    public UpstreamFailure error(int status, byte[] body, String retryAfter) {
        return UpstreamFailures.forStatus(providerName, status, CohereUrls.errorMessage(json, body), retryAfter);
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
