package io.llmproxy.edge.telemetry;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.llmproxy.edge.routing.TargetHealth;
import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.SnapshotStore;
import io.llmproxy.kernel.usage.UsageAttempt;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The gateway's own metrics at the edge (issue #12), beside {@link GenAiMetrics}, recorded once per finished
 * call from its usage event, plus gauges read at scrape time. Names in Micrometer's dotted form; Prometheus
 * renders dots as underscores and adds the unit ({@code _seconds}) and {@code _total}/{@code _bucket}.
 *
 * <ul>
 *   <li>{@value #TTFT}: streamed calls, seconds from the request to the first stream chunk sent to the client;
 *       the convention's buckets 0.001 … 10.</li>
 *   <li>{@value #TPOT}: streamed calls with ≥ 2 output tokens, (duration − time to first token) / (output
 *       tokens − 1), seconds; the convention's buckets 0.01 … 2.5.</li>
 *   <li>{@value #ADDED}: the edge's added time per call, seconds: the call's duration minus the time its
 *       upstream attempts took until the provider's status (so reading a non-streamed body and relaying a
 *       stream count as added); a call refused by the edge is all added time.</li>
 *   <li>{@value #ATTEMPTS}: upstream attempts per call that reached routing (1 = no retry nor fallback).</li>
 *   <li>{@value #QUOTA_REFUSALS}: counter by {@code level} ({@code TENANT}, {@code API_KEY}, {@code USER}…)
 *       and {@code limit} (the policy field, e.g. {@code tokensPerMinute}), from {@code quota:LEVEL:limit}.</li>
 *   <li>{@value #BREAKER_STATE}: gauge per target ({@code providerId/model}, configured, so bounded):
 *       0 closed, 1 open, 2 half-open, 3 disabled or forced.</li>
 *   <li>{@value #SNAPSHOT_AGE}: seconds since the edge's read-model snapshot last changed or was reloaded.</li>
 * </ul>
 * Tags are the bounded ones of {@link GenAiMetrics}. With {@code llmproxy.telemetry.per-tenant-labels=true}
 * (off by default) the edge also counts {@value #TENANT_CALLS} and {@value #TENANT_TOKENS} by
 * {@code llmproxy.tenant.id}: one series per tenant and status class (tokens: per tenant and token type),
 * about 1 KiB of heap and one Prometheus sample each per scrape, so 10,000 tenants cost ≈ 40,000 series.
 */
@Component
public class GatewayMetrics {

    /** Time to first token of a streamed call, seconds. */
    public static final String TTFT = "gen_ai.server.time_to_first_token";
    /** Time per output token of a streamed call, seconds. */
    public static final String TPOT = "gen_ai.server.time_per_output_token";
    /** The edge's added time per call, seconds. */
    public static final String ADDED = "llmproxy.edge.added.duration";
    /** Upstream attempts per call. */
    public static final String ATTEMPTS = "llmproxy.edge.attempts";
    /** Quota refusals by level and limit. */
    public static final String QUOTA_REFUSALS = "llmproxy.edge.quota.refusals";
    /** Circuit-breaker state per target. */
    public static final String BREAKER_STATE = "llmproxy.edge.breaker.state";
    /** Age of the edge's snapshot, seconds. */
    public static final String SNAPSHOT_AGE = "llmproxy.edge.snapshot.age";
    /** Opt-in: calls per tenant. */
    public static final String TENANT_CALLS = "llmproxy.edge.tenant.calls";
    /** Opt-in: tokens per tenant. */
    public static final String TENANT_TOKENS = "llmproxy.edge.tenant.tokens";

    /** The convention's {@code gen_ai.server.time_to_first_token} buckets, seconds. */
    static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5,
            5.0, 7.5, 10.0};
    /** The convention's {@code gen_ai.server.time_per_output_token} buckets, seconds. */
    static final double[] TPOT_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5};
    static final double[] ADDED_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    private static final Duration[] TTFT_SLOS = durations(TTFT_BUCKETS);
    private static final Duration[] TPOT_SLOS = durations(TPOT_BUCKETS);
    private static final Duration[] ADDED_SLOS = durations(ADDED_BUCKETS);

    private final MeterRegistry registry;
    private final SnapshotStore snapshots;
    private final boolean perTenant;
    private final DistributionSummary attempts;
    private final java.util.concurrent.ConcurrentHashMap<TimerKey, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

    public GatewayMetrics(MeterRegistry registry, SnapshotStore snapshots, TargetHealth health, Clock clock,
                          @Value("${llmproxy.telemetry.per-tenant-labels:false}") boolean perTenant) {
        this.registry = registry;
        this.snapshots = snapshots;
        this.perTenant = perTenant;
        this.attempts = DistributionSummary.builder(ATTEMPTS).description("upstream attempts per call")
                .serviceLevelObjectives(1, 2, 3, 4, 5, 8).register(registry);
        TimeGauge.builder(SNAPSHOT_AGE, snapshots, TimeUnit.MILLISECONDS, s -> snapshotAgeMillis(s.current(), clock))
                .description("time since the edge's read-model snapshot last changed or was reloaded").register(registry);
        health.breakers().getAllCircuitBreakers().forEach(this::breakerGauge);
        health.breakers().getEventPublisher().onEntryAdded(added -> breakerGauge(added.getAddedEntry()));
    }

    private static double snapshotAgeMillis(EdgeSnapshot s, Clock clock) {
        return s.loadedAt() == null || s.changeIndex() < 0 ? 0 : Math.max(0, clock.millis() - s.loadedAt().toEpochMilli());
    }

    private void breakerGauge(CircuitBreaker breaker) {
        Gauge.builder(BREAKER_STATE, breaker, GatewayMetrics::stateValue).tag("target", breaker.getName())
                .description("circuit-breaker state: 0 closed, 1 open, 2 half-open, 3 disabled or forced")
                .register(registry);
    }

    static double stateValue(CircuitBreaker breaker) {
        return switch (breaker.getState()) {
            case CLOSED -> 0;
            case OPEN -> 1;
            case HALF_OPEN -> 2;
            default -> 3;
        };
    }

    /**
     * Records the finished call {@code e}.
     *
     * @param firstChunkNanos nanoseconds from the request to the first stream chunk sent, or -1 when none was
     */
    public void record(UsageRecorded e, long firstChunkNanos) {
        String operation = "embeddings".equals(e.endpoint()) ? "embeddings" : "chat";
        long upstreamMs = 0;
        if (e.attempts() != null && !e.attempts().isEmpty()) {
            for (UsageAttempt a : e.attempts()) {
                upstreamMs += a.latencyMs();
            }
            attempts.record(e.attempts().size());
        }
        timer(ADDED, "time the edge adds to a call (total minus upstream)", operation, null, null, ADDED_SLOS).record(Math.max(0, e.latencyMs() - upstreamMs), TimeUnit.MILLISECONDS);
        if (e.stream() && firstChunkNanos >= 0 && e.httpStatus() < 400) {
            EdgeSnapshot snapshot = snapshots.current();
            String provider = GenAiMetrics.providerName(snapshot, e.providerId());
            String model = GenAiMetrics.publicModel(snapshot, e.model());
            timer(TTFT, "Time to generate first token for successful responses", operation, provider, model, TTFT_SLOS)
                    .record(firstChunkNanos, TimeUnit.NANOSECONDS);
            if (e.completionTokens() > 1) {
                long rest = Math.max(0, TimeUnit.MILLISECONDS.toNanos(e.latencyMs()) - firstChunkNanos);
                timer(TPOT, "Time per output token generated after the first token for successful responses", operation,
                        provider, model, TPOT_SLOS).record(rest / (e.completionTokens() - 1), TimeUnit.NANOSECONDS);
            }
        }
        String reason = e.refusalReason();
        if (reason != null && reason.startsWith("quota:")) {
            String[] parts = reason.split(":", 3);
            registry.counter(QUOTA_REFUSALS, "level", parts.length > 1 ? parts[1] : "none",
                    "limit", parts.length > 2 ? parts[2] : "none").increment();
        }
        if (perTenant && e.tenantId() != null) {
            registry.counter(TENANT_CALLS, "llmproxy.tenant.id", e.tenantId(),
                    "http.response.status_class", (e.httpStatus() / 100) + "xx").increment();
            if (e.totalTokens() > 0) {
                registry.counter(TENANT_TOKENS, "llmproxy.tenant.id", e.tenantId(), "gen_ai.token.type", "input")
                        .increment(e.promptTokens());
                registry.counter(TENANT_TOKENS, "llmproxy.tenant.id", e.tenantId(), "gen_ai.token.type", "output")
                        .increment(e.completionTokens());
            }
        }
    }

    private static Duration[] durations(double[] seconds) {
        Duration[] out = new Duration[seconds.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Duration.ofNanos(Math.round(seconds[i] * 1_000_000_000L));
        }
        return out;
    }

    /**
     * @return the timer {@code name} of the label set (provider and model null: the operation only),
     *         registered once and then read from {@link #timers} (issue #16: a builder with its SLO
     *         boundaries per call cost about 2 % of the event loops)
     */
    private Timer timer(String name, String description, String operation, String provider, String model, Duration[] slos) {
        TimerKey key = new TimerKey(name, operation, provider, model);
        Timer timer = timers.get(key);
        if (timer == null) {
            Tags tags = provider == null ? Tags.of("gen_ai.operation.name", operation)
                    : Tags.of("gen_ai.operation.name", operation, "gen_ai.provider.name", provider, "gen_ai.request.model", model);
            timer = timers.computeIfAbsent(key, k -> Timer.builder(name).description(description).tags(tags)
                    .serviceLevelObjectives(slos).register(registry));
        }
        return timer;
    }

    /** A timer's name and labels. */
    private record TimerKey(String name, String operation, String provider, String model) {
    }
}
