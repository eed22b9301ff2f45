package io.llmproxy.simulator.openai;

import io.llmproxy.simulator.core.NormalizedChatRequest;
import java.util.Objects;

/**
 * A parsed OpenAI {@code POST /v1/chat/completions} request: the provider-neutral part plus the
 * OpenAI-specific response options.
 *
 * @param chat         model, messages and output-token limit, as the core sees them
 * @param stream       {@code "stream": true}: answer as server-sent {@code chat.completion.chunk} events
 * @param includeUsage {@code "stream_options": {"include_usage": true}} on a streamed request: every
 *                     chunk carries {@code "usage": null} and a last extra chunk carries the usage
 */
public record OpenAiChatRequest(NormalizedChatRequest chat, boolean stream, boolean includeUsage) {

    public OpenAiChatRequest {
        Objects.requireNonNull(chat, "chat");
    }
}
