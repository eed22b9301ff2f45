package io.llmproxy.edge.routing;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * What this edge instance knows about each route target ({@link Target#key()}), for routing (issue #11,
 * ADR 0016). State is per instance, never shared: see the ADR for what sharing it through Redis would cost.
 *
 * <ul>
 *   <li>A Resilience4j {@link CircuitBreaker} per target: count-based window of the last
 *       {@code llmproxy.edge.routing.breaker.window} (10) attempts, opens when at least
 *       {@code minimum-calls} (5) were made and {@code failure-rate} (50) % of them failed (so 5
 *       consecutive failures open it), stays open {@code open-for} (10 s), then lets one probe through
 *       (half-open). An open target is skipped without a network call.</li>
 *   <li>A cooldown from a provider's {@code Retry-After} (a 429 or 503): the target is skipped until it
 *       ends (at most 300 s).</li>
 *   <li>An exponentially weighted moving average of time to first byte (α = 0.2), for {@code least-latency}.</li>
 *   <li>Calls in flight, for {@code least-busy}.</li>
 * </ul>
 */
@Component
public class TargetHealth {

    /** Longest Retry-After honoured, in seconds. */
    public static final long MAX_COOLDOWN_SECONDS = 300;
    private static final double ALPHA = 0.2;

    private final CircuitBreakerRegistry breakers;
    private final ConcurrentHashMap<String, Stats> stats = new ConcurrentHashMap<>();

    /** Per-target numbers; fields are read and written without locks (approximate by design). */
    static final class Stats {
        /** The target's breaker in {@link #breakers}, looked up once (the registry is never cleared). */
        final CircuitBreaker breaker;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicLong cooldownUntilNanos = new AtomicLong(System.nanoTime());
        volatile double ttfbMs = -1;

        Stats(CircuitBreaker breaker) {
            this.breaker = breaker;
        }
    }

    public TargetHealth(@Value("${llmproxy.edge.routing.breaker.window:10}") int window,
                        @Value("${llmproxy.edge.routing.breaker.minimum-calls:5}") int minimumCalls,
                        @Value("${llmproxy.edge.routing.breaker.failure-rate:50}") float failureRate,
                        @Value("${llmproxy.edge.routing.breaker.open-for:10s}") Duration openFor) {
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(window)
                .minimumNumberOfCalls(minimumCalls)
                .failureRateThreshold(failureRate)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordException(e -> true)
                .build());
    }

    private Stats stats(Target target) {
        String key = target.key();
        Stats s = stats.get(key);
        return s != null ? s : stats.computeIfAbsent(key, k -> new Stats(breakers.circuitBreaker(k)));
    }

    /** @return every target's breaker, by {@link io.llmproxy.edge.snapshot.EdgeSnapshot.Target#key()} (for metrics) */
    public CircuitBreakerRegistry breakers() {
        return breakers;
    }

    /** @return the target's breaker (created on first use) */
    public CircuitBreaker breaker(Target target) {
        return stats(target).breaker;
    }

    /**
     * Asks to call {@code target} now. A true answer holds a breaker permission: report the outcome
     * with {@link #succeeded} or {@link #failed}, or give it back with {@link #release}.
     *
     * @return false when the target cools down after a Retry-After or its breaker is open
     */
    public boolean tryAcquire(Target target) {
        long cooldownUntil = stats(target).cooldownUntilNanos.get(); // before reading the clock
        if (System.nanoTime() - cooldownUntil < 0) {
            return false;
        }
        return breaker(target).tryAcquirePermission();
    }

    /** Gives back a permission that was not used (the attempt could not be prepared). */
    public void release(Target target) {
        breaker(target).releasePermission();
    }

    /** The target answered (2xx, or a client error that is not the provider's fault) after {@code ttfbNanos}. */
    public void succeeded(Target target, long ttfbNanos) {
        breaker(target).onSuccess(ttfbNanos, TimeUnit.NANOSECONDS);
        Stats s = stats(target);
        double ms = ttfbNanos / 1_000_000.0;
        s.ttfbMs = s.ttfbMs < 0 ? ms : ALPHA * ms + (1 - ALPHA) * s.ttfbMs;
    }

    /**
     * The target failed after {@code nanos}.
     *
     * @param retryAfterSeconds the provider's Retry-After in seconds, or ≤ 0 for none
     */
    public void failed(Target target, long nanos, Throwable failure, long retryAfterSeconds) {
        breaker(target).onError(nanos, TimeUnit.NANOSECONDS, failure);
        if (retryAfterSeconds > 0) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(retryAfterSeconds, MAX_COOLDOWN_SECONDS));
            stats(target).cooldownUntilNanos.accumulateAndGet(until, Math::max);
        }
    }

    private final ConcurrentHashMap<String, Credentials> credentials = new ConcurrentHashMap<>();

    /** A provider's credentials: whose turn it is, and each one's cooldown. */
    static final class Credentials {
        final AtomicInteger next = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicLongArray cooldownUntilNanos;

        Credentials(int count) {
            cooldownUntilNanos = new java.util.concurrent.atomic.AtomicLongArray(count);
            long now = System.nanoTime();
            for (int i = 0; i < count; i++) {
                cooldownUntilNanos.set(i, now);
            }
        }
    }

    private Credentials credentials(String providerId, int count) {
        Credentials c = credentials.get(providerId);
        if (c == null || c.cooldownUntilNanos.length() != count) {
            c = new Credentials(count);
            credentials.put(providerId, c);
        }
        return c;
    }

    /**
     * The credential a call to a provider uses: the provider's credentials in turn (round robin),
     * skipping those cooling down after a 429 or a refused credential.
     *
     * @param count the provider's credentials (≥ 1)
     * @return the index to use (0 = the first credential), or -1 when every one cools down
     */
    public int credential(String providerId, int count) {
        if (count <= 1) {
            return 0;
        }
        Credentials c = credentials(providerId, count);
        int start = Math.floorMod(c.next.getAndIncrement(), count);
        for (int i = 0; i < count; i++) {
            int index = (start + i) % count;
            long until = c.cooldownUntilNanos.get(index); // before reading the clock
            if (System.nanoTime() - until >= 0) {
                return index;
            }
        }
        return -1;
    }

    /** Cools credential {@code index} of a provider down for {@code seconds} (≤ {@value #MAX_COOLDOWN_SECONDS}). */
    public void credentialFailed(String providerId, int count, int index, long seconds) {
        if (count <= 1 || index < 0 || index >= count) {
            return;
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, Math.min(seconds, MAX_COOLDOWN_SECONDS)));
        credentials(providerId, count).cooldownUntilNanos.accumulateAndGet(index, until, Math::max);
    }

    /** @return the moving average of time to first byte in ms, or -1 before the first answer */
    public double ttfbMs(Target target) {
        return stats(target).ttfbMs;
    }

    /** @return calls in flight to {@code target} on this edge */
    public int inFlight(Target target) {
        return stats(target).inFlight.get();
    }

    /** Counts a call in flight to {@code target}; run the returned hook once when it ends. */
    public Runnable begin(Target target) {
        AtomicInteger counter = stats(target).inFlight;
        counter.incrementAndGet();
        java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (once.compareAndSet(false, true)) {
                counter.decrementAndGet();
            }
        };
    }
}
