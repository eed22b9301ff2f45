package io.llmproxy.simulator.core;

import java.util.List;
import java.util.Objects;

/**
 * One conversation message reduced to what the simulator's generation looks at, independent of the
 * provider format it arrived in.
 *
 * @param role       the message author's role as sent ({@code "system"}, {@code "user"},
 *                   {@code "assistant"}, {@code "tool"}, ...); never {@code null}
 * @param textParts  the message's text, in order: one element for plain-string content, one per
 *                   text part for multi-part content, none for {@code null} content; never {@code null}
 * @param imageParts number of image parts in the content; each counts a fixed
 *                   {@link CompletionPlanner#IMAGE_PART_TOKENS} prompt tokens
 */
public record NormalizedMessage(String role, List<String> textParts, int imageParts) {

    public NormalizedMessage {
        Objects.requireNonNull(role, "role");
        textParts = List.copyOf(textParts);
        if (imageParts < 0) {
            throw new IllegalArgumentException("imageParts must be >= 0");
        }
    }

    /** A message with a single plain-text content. */
    public static NormalizedMessage text(String role, String content) {
        return new NormalizedMessage(role, List.of(content), 0);
    }
}
