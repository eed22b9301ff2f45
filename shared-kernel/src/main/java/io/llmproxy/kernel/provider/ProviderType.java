package io.llmproxy.kernel.provider;

import java.util.Arrays;
import java.util.Optional;

/** Provider types the gateway can call, by their wire name in the admin API. */
public enum ProviderType {
    /** OpenAI Chat Completions API, https://platform.openai.com/docs/api-reference/chat */
    OPENAI("openai"),
    /** Azure OpenAI Service, https://learn.microsoft.com/azure/ai-services/openai/reference */
    AZURE_OPENAI("azure-openai"),
    /** Anthropic Messages API, https://docs.anthropic.com/en/api/messages */
    ANTHROPIC("anthropic"),
    /** Ollama native API, https://github.com/ollama/ollama/blob/main/docs/api.md */
    OLLAMA("ollama"),
    /** Cohere v2 Chat and Embed APIs, https://docs.cohere.com/reference/chat */
    COHERE("cohere"),
    /** Mistral AI API, https://docs.mistral.ai/api/ */
    MISTRAL("mistral");

    private final String wireName;

    ProviderType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** @return the type with this wire name, empty when unknown */
    public static Optional<ProviderType> fromWireName(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }
}
