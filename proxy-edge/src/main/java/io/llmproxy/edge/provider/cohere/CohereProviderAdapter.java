package io.llmproxy.edge.provider.cohere;

import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.EmbeddingsTranslator;
import io.llmproxy.edge.provider.ProviderAdapter;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Provider type {@code cohere}: Cohere API v2 ({@code /v2/chat}, {@code /v2/embed}),
 * https://docs.cohere.com/reference/about. The base URL is the API root ({@code https://api.cohere.com}).
 */
@Component
class CohereProviderAdapter implements ProviderAdapter {

    private final JsonMapper json;

    CohereProviderAdapter(JsonMapper json) {
        this.json = json;
    }

    @Override
    public String type() {
        return "cohere";
    }

    @Override
    public ChatTranslator chatTranslator(boolean stream, boolean clientWantsUsage) {
        return new CohereChatTranslator(json, stream, clientWantsUsage);
    }

    @Override
    public EmbeddingsTranslator embeddingsTranslator() {
        return new CohereEmbeddingsTranslator(json);
    }
}
