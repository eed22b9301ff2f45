package io.llmproxy.edge.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.routing.TargetHealth;
import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteKey;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import io.llmproxy.edge.snapshot.SnapshotStore;
import io.llmproxy.kernel.usage.UsageAttempt;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link GatewayMetrics}' arithmetic on known events: added time = duration − the attempts' time, time per output
 * token = (duration − time to first token) / (output tokens − 1), quota refusals by level and limit from the
 * refusal reason, the breaker gauge following the target's breaker, the snapshot age from the clock, and the
 * opt-in per-tenant counters (absent by default).
 */
class GatewayMetricsUnitTest {

    static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final SnapshotStore store = new SnapshotStore();
    final TargetHealth health = new TargetHealth(10, 5, 50f, Duration.ofSeconds(10));

    GatewayMetrics metrics(boolean perTenant) {
        store.replace(new EdgeSnapshot(Map.of(), Map.of(RouteKey.global("gm"),
                new RouteEntry(null, "gm", List.of(new Target("p1", "m")), NOW)),
                Map.of("p1", new ProviderEntry("p1", "sim", "anthropic", "http://x", "k")), Map.of(), Map.of(), 1,
                NOW.minusSeconds(30)));
        return new GatewayMetrics(registry, store, health, Clock.fixed(NOW, ZoneOffset.UTC), perTenant);
    }

    static UsageRecorded event(String tenant, boolean stream, long completion, long latencyMs, int status,
                               String refusal, List<UsageAttempt> attempts) {
        return new UsageRecorded("e", 4, tenant, "k", "messages", "gm", attempts.isEmpty() ? null : "p1", "m", stream, 10,
                completion, 10 + completion, latencyMs, status, status < 400 ? Outcome.SUCCESS : Outcome.CLIENT_ERROR, NOW,
                refusal, false, null, 0, null, null, attempts, "api-key:k");
    }

    @Test
    void computesAddedTimeTokensPacingRefusalsBreakerAndSnapshotAge() {
        GatewayMetrics m = metrics(false);
        m.record(event("t1", true, 31, 350, 200, null, List.of(new UsageAttempt("p1", "m", 503, "http_503", 30, false),
                new UsageAttempt("p1", "m", 200, null, 100, true))), TimeUnit.MILLISECONDS.toNanos(50));
        m.record(event("t1", false, 0, 4, 429, "quota:API_KEY:tokensPerMinute", List.of()), -1);

        var tags = new String[] {"gen_ai.request.model", "gm", "gen_ai.provider.name", "anthropic", "gen_ai.operation.name", "chat"};
        assertThat(registry.get(GatewayMetrics.TTFT).tags(tags).timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(50.0);
        // (350 − 50) ms / (31 − 1) tokens
        assertThat(registry.get(GatewayMetrics.TPOT).tags(tags).timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(10.0);
        // 350 − (30 + 100) ms, and the refused call's 4 ms are all the edge's
        assertThat(registry.get(GatewayMetrics.ADDED).timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(224.0);
        assertThat(registry.get(GatewayMetrics.ADDED).timer().count()).isEqualTo(2);
        assertThat(registry.get(GatewayMetrics.ATTEMPTS).summary().count()).isEqualTo(1);
        assertThat(registry.get(GatewayMetrics.ATTEMPTS).summary().totalAmount()).isEqualTo(2.0);
        assertThat(registry.get(GatewayMetrics.QUOTA_REFUSALS).tags("level", "API_KEY", "limit", "tokensPerMinute")
                .counter().count()).isEqualTo(1.0);
        assertThat(registry.get(GatewayMetrics.SNAPSHOT_AGE).timeGauge().value(TimeUnit.SECONDS)).isEqualTo(30.0);

        var breaker = health.breaker(new Target("p1", "m"));
        assertThat(registry.get(GatewayMetrics.BREAKER_STATE).tag("target", "p1/m").gauge().value()).isEqualTo(0.0);
        breaker.transitionToOpenState();
        assertThat(registry.get(GatewayMetrics.BREAKER_STATE).tag("target", "p1/m").gauge().value()).isEqualTo(1.0);
        breaker.transitionToHalfOpenState();
        assertThat(registry.get(GatewayMetrics.BREAKER_STATE).tag("target", "p1/m").gauge().value()).isEqualTo(2.0);
        assertThat(registry.find(GatewayMetrics.TENANT_CALLS).meters()).isEmpty();
    }

    @Test
    void perTenantLabelsAreOptIn() {
        GatewayMetrics m = metrics(true);
        m.record(event("t1", false, 5, 20, 200, null, List.of(new UsageAttempt("p1", "m", 200, null, 10, true))), -1);
        m.record(event("t1", false, 7, 20, 200, null, List.of(new UsageAttempt("p1", "m", 200, null, 10, true))), -1);
        m.record(event("t2", false, 0, 3, 429, "quota:TENANT:requestsPerDay", List.of()), -1);
        assertThat(registry.get(GatewayMetrics.TENANT_CALLS).tags("llmproxy.tenant.id", "t1",
                "http.response.status_class", "2xx").counter().count()).isEqualTo(2.0);
        assertThat(registry.get(GatewayMetrics.TENANT_CALLS).tags("llmproxy.tenant.id", "t2",
                "http.response.status_class", "4xx").counter().count()).isEqualTo(1.0);
        assertThat(registry.get(GatewayMetrics.TENANT_TOKENS).tags("llmproxy.tenant.id", "t1", "gen_ai.token.type",
                "output").counter().count()).isEqualTo(12.0);
        assertThat(registry.get(GatewayMetrics.TENANT_TOKENS).tags("llmproxy.tenant.id", "t1", "gen_ai.token.type",
                "input").counter().count()).isEqualTo(20.0);
        // a streamed call without a first chunk records no TTFT
        assertThat(registry.find(GatewayMetrics.TTFT).meters()).isEmpty();
    }
}
