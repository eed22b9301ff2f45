package io.llmproxy.simulator.core;

import java.time.Duration;

/**
 * Simulated generation timing for one request, in milliseconds.
 *
 * <p>Schedule, identical in total for streaming and non-streaming answers of {@code n} completion
 * tokens:
 * <ul>
 *   <li>streaming: the first chunk(s) (role and first content token) leave {@code ttftMs} after the
 *       request; each further content token {@code interTokenMs} after the previous one; the final
 *       chunk (finish reason, usage, {@code [DONE]}) {@code interTokenMs} after the last token (the
 *       model "generating" its stop), so the stream ends at {@code ttftMs + n × interTokenMs};</li>
 *   <li>non-streaming: the whole body is sent after {@link #totalDelay(int)} =
 *       {@code ttftMs + n × interTokenMs}.</li>
 * </ul>
 *
 * @param ttftMs       time to first token, ms, &ge; 0
 * @param interTokenMs delay between consecutive tokens, ms, &ge; 0
 */
public record LatencyProfile(long ttftMs, long interTokenMs) {

    /** No simulated latency at all. */
    public static final LatencyProfile NONE = new LatencyProfile(0, 0);

    public LatencyProfile {
        if (ttftMs < 0 || interTokenMs < 0) {
            throw new IllegalArgumentException("latencies must be >= 0 ms");
        }
    }

    /** {@code ttftMs} as a duration. */
    public Duration ttft() {
        return Duration.ofMillis(ttftMs);
    }

    /** {@code interTokenMs} as a duration. */
    public Duration interToken() {
        return Duration.ofMillis(interTokenMs);
    }

    /** Time until a complete answer of {@code completionTokens} tokens: {@code ttftMs + n × interTokenMs}. */
    public Duration totalDelay(int completionTokens) {
        return Duration.ofMillis(ttftMs + completionTokens * interTokenMs);
    }
}
