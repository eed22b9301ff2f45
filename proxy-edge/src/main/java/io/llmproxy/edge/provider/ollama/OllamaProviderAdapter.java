package io.llmproxy.edge.provider.ollama;

import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.EmbeddingsTranslator;
import io.llmproxy.edge.provider.ProviderAdapter;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Provider type {@code ollama}: Ollama's native API ({@code /api/chat}, {@code /api/embed}),
 * https://github.com/ollama/ollama/blob/main/docs/api.md. The base URL is the server
 * ({@code http://localhost:11434}).
 */
@Component
class OllamaProviderAdapter implements ProviderAdapter {

    private final JsonMapper json;

    OllamaProviderAdapter(JsonMapper json) {
        this.json = json;
    }

    @Override
    public String type() {
        return "ollama";
    }

    @Override
    public ChatTranslator chatTranslator(boolean stream, boolean clientWantsUsage) {
        return new OllamaChatTranslator(json, stream, clientWantsUsage);
    }

    @Override
    public EmbeddingsTranslator embeddingsTranslator() {
        return new OllamaEmbeddingsTranslator(json);
    }
}
