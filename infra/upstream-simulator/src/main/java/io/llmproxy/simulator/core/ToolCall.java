package io.llmproxy.simulator.core;

import java.util.List;

/**
 * A simulated tool call, provider-neutral; built by {@link ToolCallPlanner}.
 *
 * @param idSuffix       base-62 characters from the request hash, for provider-style ids
 *                       ({@code call_…}, {@code toolu_…}, Mistral's 9-character ids)
 * @param name           the called tool: the first tool the request declared
 * @param arguments      the arguments, a JSON object as text
 * @param argumentPieces {@code arguments} split into the pieces a stream sends, in order; their
 *                       concatenation is {@code arguments}; their count is the call's completion tokens
 */
public record ToolCall(String idSuffix, String name, String arguments, List<String> argumentPieces) {

    public ToolCall {
        argumentPieces = List.copyOf(argumentPieces);
    }

    /** Completion tokens the call costs: one per argument piece. */
    public int completionTokens() {
        return argumentPieces.size();
    }
}
