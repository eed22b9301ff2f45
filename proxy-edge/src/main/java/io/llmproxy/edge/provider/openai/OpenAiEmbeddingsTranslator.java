package io.llmproxy.edge.provider.openai;

import io.llmproxy.edge.provider.EmbeddingsTranslator;
import io.llmproxy.edge.provider.OpenAiCompatibleChatTranslator;
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
import tools.jackson.databind.node.ObjectNode;

/**
 * Canonical ⇄ OpenAI {@code POST /v1/embeddings}
 * (https://platform.openai.com/docs/api-reference/embeddings/create): the body passes through with the
 * route's model (so {@code encoding_format}, {@code dimensions}, token-array input are OpenAI's own),
 * the response passes back as it is; usage is its {@code usage.prompt_tokens}.
 */
final class OpenAiEmbeddingsTranslator implements EmbeddingsTranslator {

    private final JsonMapper json;
    private String providerName = "provider";
    private TokenUsage reported;

    OpenAiEmbeddingsTranslator(JsonMapper json) {
        this.json = json;
    }

    @Override
    public UpstreamRequest request(ObjectNode request, ProviderEntry provider, String providerModel) {
        this.providerName = provider.name();
        ObjectNode body = request.deepCopy();
        body.put("model", providerModel);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + provider.apiKey());
        headers.put("Content-Type", "application/json");
        headers.put("Accept", "application/json");
        String url = OpenAiChatTranslator.chatCompletionsUrl(provider.baseUrl());
        url = url.substring(0, url.length() - "/chat/completions".length()) + "/embeddings";
        return new UpstreamRequest(url, headers, json.writeValueAsBytes(body));
    }

    @Override
    public Translated response(byte[] body) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JacksonException e) {
            return new Translated(new byte[0], null, false, UpstreamFailures.unreadable(providerName, "a response that is not JSON"));
        }
        JsonNode usage = node.path("usage");
        reported = new TokenUsage(usage.path("prompt_tokens").asLong(0), 0);
        return new Translated(body, reported, true, null);
    }

    @Override
    public UpstreamFailure error(int status, byte[] body, String retryAfter) {
        return UpstreamFailures.forStatus(providerName, status, OpenAiCompatibleChatTranslator.errorMessage(json, body),
                retryAfter);
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
