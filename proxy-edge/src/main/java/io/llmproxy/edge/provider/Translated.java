package io.llmproxy.edge.provider;

/**
 * A translated piece of a response.
 *
 * @param bytes bytes to send to the client (may be empty: nothing to send for this piece)
 * @param usage token usage when this piece carried it, else null
 * @param done  true when this piece ends the stream normally ({@code [DONE]})
 * @param error an error the provider reported inside the stream, else null
 */
public record Translated(byte[] bytes, TokenUsage usage, boolean done, UpstreamFailure error) {

    private static final byte[] EMPTY = new byte[0];

    public static Translated of(byte[] bytes) {
        return new Translated(bytes, null, false, null);
    }

    public static Translated nothing() {
        return new Translated(EMPTY, null, false, null);
    }
}
