package io.llmproxy.edge.provider.mistral;

import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.EmbeddingsTranslator;
import io.llmproxy.edge.provider.ProviderAdapter;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Provider type {@code mistral}: Mistral's chat completions and embeddings
 * (https://docs.mistral.ai/api/), base URL {@code https://api.mistral.ai/v1}.
 */
@Component
class MistralProviderAdapter implements ProviderAdapter {

    private final JsonMapper json;

    MistralProviderAdapter(JsonMapper json) {
        this.json = json;
    }

    @Override
    public String type() {
        return "mistral";
    }

    @Override
    public ChatTranslator chatTranslator(boolean stream, boolean clientWantsUsage) {
        return new MistralChatTranslator(json, stream, clientWantsUsage);
    }

    @Override
    public EmbeddingsTranslator embeddingsTranslator() {
        return new MistralEmbeddingsTranslator(json);
    }
}
