package io.llmproxy.kernel.route;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * How the edge uses a route's targets (issue #11, ADR 0016). Every field is optional; null means
 * the documented default, so a route defined before issue #11 has the default policy.
 *
 * @param strategy  {@code weighted} (default: weights proportional), {@code priority} (lowest
 *                  priority number that is healthy), {@code least-latency} (moving average of recent
 *                  time to first byte), {@code least-busy} (fewest calls in flight on this edge)
 * @param fallbacks other public model names to try, in order, when every target of this route
 *                  failed (at most {@value #MAX_FALLBACKS}; no cycles)
 * @param retry     how many attempts and when; null = {@link Retry#DEFAULT}
 * @param timeouts  per-attempt timeouts; null = {@link Timeouts#DEFAULT}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoutePolicy(String strategy, List<String> fallbacks, Retry retry, Timeouts timeouts) {

    /** Most fallback model names per route. */
    public static final int MAX_FALLBACKS = 5;
    /** Most attempts per call (targets and fallbacks' targets together). */
    public static final int MAX_ATTEMPTS = 10;
    /** The strategies. */
    public static final List<String> STRATEGIES = List.of("weighted", "priority", "least-latency", "least-busy");
    /** The default policy: weighted, no fallbacks, {@link Retry#DEFAULT}, {@link Timeouts#DEFAULT}. */
    public static final RoutePolicy DEFAULT = new RoutePolicy("weighted", List.of(), Retry.DEFAULT, Timeouts.DEFAULT);

    /** @return the strategy, {@code weighted} when unset */
    public String strategyOrDefault() {
        return strategy == null ? "weighted" : strategy;
    }

    /** @return the fallbacks, empty when unset */
    public List<String> fallbacksOrEmpty() {
        return fallbacks == null ? List.of() : fallbacks;
    }

    /** @return the retry settings, {@link Retry#DEFAULT} when unset */
    public Retry retryOrDefault() {
        return retry == null ? Retry.DEFAULT : retry;
    }

    /** @return the timeouts, {@link Timeouts#DEFAULT} when unset */
    public Timeouts timeoutsOrDefault() {
        return timeouts == null ? Timeouts.DEFAULT : timeouts;
    }

    /** @return {@code policy}, or {@link #DEFAULT} when null */
    public static RoutePolicy orDefault(RoutePolicy policy) {
        return policy == null ? DEFAULT : policy;
    }

    /**
     * Retries before the first byte reaches the client.
     *
     * @param attempts  most attempts of one call over all targets and fallbacks, 1..{@value #MAX_ATTEMPTS};
     *                  null = 3
     * @param backoffMs wait before the next attempt, doubled each time, with ±50 % jitter, 0..10000 ms;
     *                  null = 0 (the next target is tried at once; a target in cooldown is skipped anyway)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Retry(Integer attempts, Integer backoffMs) {
        /** 3 attempts, no backoff. */
        public static final Retry DEFAULT = new Retry(3, 0);

        /** @return the attempts, 3 when unset */
        public int attemptsOrDefault() {
            return attempts == null ? 3 : attempts;
        }

        /** @return the backoff in ms, 0 when unset */
        public int backoffMsOrDefault() {
            return backoffMs == null ? 0 : backoffMs;
        }
    }

    /**
     * Per-attempt timeouts, milliseconds. No total cap on a stream: a healthy long stream is never
     * cut; a stalled one is cut by {@code idleMs}.
     *
     * @param connectMs time to connect, 100..60000; null = the edge's {@code upstream-connect-timeout} (5 s)
     * @param ttfbMs    time from sending the request to the provider's response status, 100..600000;
     *                  null = no cap beyond the idle timeout
     * @param idleMs    longest silence from the provider while reading (between two chunks of a stream),
     *                  100..600000; null = the edge's {@code upstream-idle-timeout} (300 s)
     * @param totalMs   whole non-streamed answer, 100..3600000; null = no cap beyond the idle timeout
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Timeouts(Integer connectMs, Integer ttfbMs, Integer idleMs, Integer totalMs) {
        /** The edge's defaults. */
        public static final Timeouts DEFAULT = new Timeouts(null, null, null, null);
    }
}
