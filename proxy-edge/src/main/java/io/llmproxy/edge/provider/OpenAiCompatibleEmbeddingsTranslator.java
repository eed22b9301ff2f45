package io.llmproxy.edge.provider;

import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Canonical (OpenAI embeddings, https://platform.openai.com/docs/api-reference/embeddings/create) ⇄
 * an OpenAI-like embeddings API (Azure OpenAI, Mistral). Subclasses give the URL, the credential
 * header and the body fields the provider names differently. The response is rebuilt in canonical
 * form: {@code {"object":"list","data":[{"object":"embedding","index","embedding"}],"model",
 * "usage":{"prompt_tokens","total_tokens"}}} (provider extras such as Mistral's {@code id} are dropped).
 */
public abstract class OpenAiCompatibleEmbeddingsTranslator implements EmbeddingsTranslator {

    protected final JsonMapper json;
    protected String providerName = "provider";
    private String providerModel;
    private TokenUsage reported;

    protected OpenAiCompatibleEmbeddingsTranslator(JsonMapper json) {
        this.json = json;
    }

    /** @return the absolute embeddings URL */
    protected abstract String url(ProviderEntry provider, String providerModel);

    /** Adds the credential header; default {@code Authorization: Bearer <key>}. */
    protected void authenticate(Map<String, String> headers, ProviderEntry provider) {
        headers.put("Authorization", "Bearer " + provider.apiKey());
    }

    /** Adapts the copied canonical body; default sets {@code model} to the route's model. */
    protected void adapt(ObjectNode body, String providerModel) {
        body.put("model", providerModel);
    }

    @Override
    public UpstreamRequest request(ObjectNode request, ProviderEntry provider, String providerModel) {
        this.providerName = provider.name();
        this.providerModel = providerModel;
        ObjectNode body = request.deepCopy();
        adapt(body, providerModel);
        Map<String, String> headers = new LinkedHashMap<>();
        authenticate(headers, provider);
        headers.put("Content-Type", "application/json");
        headers.put("Accept", "application/json");
        return new UpstreamRequest(url(provider, providerModel), headers, json.writeValueAsBytes(body));
    }

    @Override
    public Translated response(byte[] body) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JacksonException e) {
            node = null;
        }
        if (node == null || !node.path("data").isArray()) {
            return new Translated(new byte[0], null, false,
                    UpstreamFailures.malformed(providerName, "returned an embeddings response that is not JSON with `data`"));
        }
        ObjectNode out = json.createObjectNode();
        out.put("object", "list");
        var data = out.putArray("data");
        int i = 0;
        for (JsonNode item : node.get("data")) {
            ObjectNode entry = data.addObject();
            entry.put("object", "embedding");
            entry.put("index", item.path("index").asInt(i));
            entry.set("embedding", item.get("embedding"));
            i++;
        }
        out.put("model", text(node.get("model"), providerModel));
        long prompt = node.path("usage").path("prompt_tokens").asLong(0);
        ObjectNode usage = out.putObject("usage");
        usage.put("prompt_tokens", prompt);
        usage.put("total_tokens", node.path("usage").path("total_tokens").asLong(prompt));
        reported = new TokenUsage(prompt, 0);
        return new Translated(json.writeValueAsBytes(out), reported, true, null);
    }

    @Override
    public TokenUsage usageSoFar() {
        return reported != null ? reported : TokenUsage.NONE;
    }

    @Override
    public boolean usageReported() {
        return reported != null;
    }

    @Override
    public UpstreamFailure error(int status, byte[] body, String retryAfter) {
        return UpstreamFailures.forStatus(providerName, status, OpenAiCompatibleChatTranslator.errorMessage(json, body),
                retryAfter);
    }

    private static String text(JsonNode node, String fallback) {
        return node != null && node.isString() ? node.asString() : fallback;
    }
}
