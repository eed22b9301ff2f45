package io.llmproxy.simulator.core;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Everything a provider format needs to answer one chat request: the completion split into tokens,
 * the usage numbers and the finish reason. Computed by {@link CompletionPlanner#plan}; the same
 * {@link NormalizedChatRequest} always yields an equal plan.
 *
 * <p>A streaming response sends {@link #tokens()} one per chunk; a non-streaming one sends
 * {@link #content()}, which is exactly their concatenation. {@link #completionTokens()} is the number
 * of tokens (so the number of content chunks of a stream).
 *
 * @param requestHash  SHA-256 of the request (model, messages and output-token limit), 32 bytes;
 *                     source of deterministic response ids (see {@link #idSuffix(int)})
 * @param tokens       the completion tokens in order: the first is a bare vocabulary word, every
 *                     later one is a space followed by a word; never empty
 * @param promptTokens prompt size in sim tokens (see {@link CompletionPlanner} for the rule)
 * @param finishReason {@link FinishReason#LENGTH} when the output-token limit cut the completion,
 *                     else {@link FinishReason#STOP}
 */
public record CompletionPlan(byte[] requestHash, List<String> tokens, int promptTokens, FinishReason finishReason) {

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public CompletionPlan {
        Objects.requireNonNull(requestHash, "requestHash");
        requestHash = requestHash.clone();
        tokens = List.copyOf(tokens);
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("tokens must not be empty");
        }
        Objects.requireNonNull(finishReason, "finishReason");
    }

    /** The full completion text: the concatenation of {@link #tokens()}. */
    public String content() {
        return String.join("", tokens);
    }

    /** Number of completion tokens (= {@code tokens().size()}). */
    public int completionTokens() {
        return tokens.size();
    }

    /** {@link #promptTokens()} + {@link #completionTokens()}. */
    public int totalTokens() {
        return promptTokens + completionTokens();
    }

    /** {@link #requestHash()} as 64 lower-case hex digits. */
    public String requestHashHex() {
        return HexFormat.of().formatHex(requestHash);
    }

    /**
     * {@code length} base-62 characters ({@code [0-9A-Za-z]}) derived from {@link #requestHash()}, for
     * provider-style ids such as OpenAI's {@code chatcmpl-...}: the hash read as an unsigned big-endian
     * number, written least-significant digit first. At most 42 characters (62^42 &lt; 2^256, so every
     * character carries hash bits).
     */
    public String idSuffix(int length) {
        if (length < 1 || length > 42) {
            throw new IllegalArgumentException("length must be in 1..42, was " + length);
        }
        BigInteger value = new BigInteger(1, requestHash);
        BigInteger base = BigInteger.valueOf(BASE62.length());
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            BigInteger[] qr = value.divideAndRemainder(base);
            sb.append(BASE62.charAt(qr[1].intValue()));
            value = qr[0];
        }
        return sb.toString();
    }

    @Override
    public byte[] requestHash() {
        return requestHash.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CompletionPlan other
                && java.util.Arrays.equals(requestHash, other.requestHash)
                && tokens.equals(other.tokens)
                && promptTokens == other.promptTokens
                && finishReason == other.finishReason;
    }

    @Override
    public int hashCode() {
        return Objects.hash(java.util.Arrays.hashCode(requestHash), tokens, promptTokens, finishReason);
    }

    @Override
    public String toString() {
        return "CompletionPlan[requestHash=" + requestHashHex() + ", tokens=" + tokens.size()
                + ", promptTokens=" + promptTokens + ", finishReason=" + finishReason + "]";
    }
}
