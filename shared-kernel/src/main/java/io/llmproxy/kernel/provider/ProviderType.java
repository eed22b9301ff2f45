package io.llmproxy.kernel.provider;

import java.util.Arrays;
import java.util.Optional;

/** Provider types the gateway can call, by their wire name in the admin API. */
public enum ProviderType {
    /** OpenAI Chat Completions API, https://platform.openai.com/docs/api-reference/chat */
    OPENAI("openai");

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
