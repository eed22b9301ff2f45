package io.llmproxy.edge.provider;

/**
 * Token usage of one call as the provider reported it, in tokens.
 *
 * @param promptTokens       input tokens (OpenAI {@code usage.prompt_tokens}), including cached ones
 * @param completionTokens   output tokens (OpenAI {@code usage.completion_tokens})
 * @param cachedPromptTokens the part of {@code promptTokens} read from the provider's prompt cache
 *                           (OpenAI {@code usage.prompt_tokens_details.cached_tokens}); 0 when unknown
 */
public record TokenUsage(long promptTokens, long completionTokens, long cachedPromptTokens) {

    public static final TokenUsage NONE = new TokenUsage(0, 0, 0);

    public TokenUsage(long promptTokens, long completionTokens) {
        this(promptTokens, completionTokens, 0);
    }

    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
