package io.llmproxy.simulator.core;

import java.util.List;
import java.util.Objects;

/**
 * A chat request reduced to what deterministic generation depends on, independent of the provider
 * format (each provider package parses its own wire format into this).
 *
 * @param model           the model name exactly as requested (any name is accepted); never {@code null}
 * @param messages        the conversation, in order; never {@code null} or empty
 * @param maxOutputTokens upper bound on completion tokens (OpenAI {@code max_completion_tokens} /
 *                        {@code max_tokens}), or {@code null} for no bound; when present, &ge; 1
 */
public record NormalizedChatRequest(String model, List<NormalizedMessage> messages, Integer maxOutputTokens) {

    public NormalizedChatRequest {
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        if (maxOutputTokens != null && maxOutputTokens < 1) {
            throw new IllegalArgumentException("maxOutputTokens must be >= 1, was " + maxOutputTokens);
        }
    }
}
