package io.llmproxy.edge.provider.openai;

import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.EmbeddingsTranslator;
import io.llmproxy.edge.provider.ProviderAdapter;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Provider type {@code openai}: the OpenAI Chat Completions API. */
@Component
class OpenAiProviderAdapter implements ProviderAdapter {

    private final JsonMapper json;

    OpenAiProviderAdapter(JsonMapper json) {
        this.json = json;
    }

    @Override
    public String type() {
        return "openai";
    }

    @Override
    public ChatTranslator chatTranslator(boolean stream, boolean clientWantsUsage) {
        return new OpenAiChatTranslator(json, stream, clientWantsUsage);
    }

    @Override
    public EmbeddingsTranslator embeddingsTranslator() {
        return new OpenAiEmbeddingsTranslator(json);
    }
}
