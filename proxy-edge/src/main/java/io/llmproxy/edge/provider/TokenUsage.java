package io.llmproxy.edge.provider;

/**
 * Token usage of one call as the provider reported it.
 *
 * @param promptTokens     input tokens (OpenAI {@code usage.prompt_tokens})
 * @param completionTokens output tokens (OpenAI {@code usage.completion_tokens})
 */
public record TokenUsage(long promptTokens, long completionTokens) {

    public static final TokenUsage NONE = new TokenUsage(0, 0);

    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
