package io.llmproxy.edge.provider.azure;

import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.EmbeddingsTranslator;
import io.llmproxy.edge.provider.ProviderAdapter;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Provider type {@code azure-openai}: Azure OpenAI chat completions and embeddings on deployment
 * paths, {@code api-key} header (https://learn.microsoft.com/azure/ai-services/openai/reference).
 * The route target's model is the deployment name; api-version: see {@link AzureUrls}.
 */
@Component
class AzureOpenAiProviderAdapter implements ProviderAdapter {

    private final JsonMapper json;

    AzureOpenAiProviderAdapter(JsonMapper json) {
        this.json = json;
    }

    @Override
    public String type() {
        return "azure-openai";
    }

    @Override
    public ChatTranslator chatTranslator(boolean stream, boolean clientWantsUsage) {
        return new AzureOpenAiChatTranslator(json, stream, clientWantsUsage);
    }

    @Override
    public EmbeddingsTranslator embeddingsTranslator() {
        return new AzureOpenAiEmbeddingsTranslator(json);
    }
}
