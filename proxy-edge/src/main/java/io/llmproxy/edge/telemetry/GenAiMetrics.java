package io.llmproxy.edge.telemetry;

import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteKey;
import io.llmproxy.edge.snapshot.SnapshotStore;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The gateway's GenAI client metrics (issue #12, first part), recorded once per finished call from its
 * usage event, with the names, units and bucket boundaries of OpenTelemetry's semantic conventions for
 * generative AI (metrics: {@code gen_ai.client.token.usage}, {@code gen_ai.client.operation.duration}),
 * plus {@value #CALLS}.
 *
 * <ul>
 *   <li>{@value #TOKEN_USAGE}: histogram of tokens per call, unit {@code {token}}, tag
 *       {@code gen_ai.token.type} {@code input}/{@code output}; buckets 1, 4, 16, … 67,108,864 (×4).</li>
 *   <li>{@value #DURATION}: histogram of the call's duration in seconds; buckets 0.01, 0.02, … 81.92 (×2);
 *       {@code error.type} the HTTP status the client got on a failure, empty (PromQL: absent) on success.</li>
 *   <li>{@value #CALLS}: counter by client API ({@code llmproxy.client.endpoint}), provider, public model
 *       and status class.</li>
 * </ul>
 * Tags are bounded: {@code gen_ai.request.model} is a global route's public name or {@code other}
 * (tenant routes and unknown names never become label values); {@code gen_ai.provider.name} is the
 * convention's value for the provider type ({@code openai}, {@code anthropic}, {@code azure.ai.openai},
 * {@code cohere}, {@code mistral_ai}, {@code ollama}) or {@code none}; no tenant, key or user id.
 */
@Component
public class GenAiMetrics {

    /** Tokens per call. */
    public static final String TOKEN_USAGE = "gen_ai.client.token.usage";
    /** Duration per call, seconds. */
    public static final String DURATION = "gen_ai.client.operation.duration";
    /** Calls by client API, provider, model and status class. */
    public static final String CALLS = "llmproxy.edge.calls";

    static final double[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
            16777216, 67108864};
    static final double[] DURATION_BUCKETS = {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48,
            40.96, 81.92};

    private final MeterRegistry registry;
    private final SnapshotStore snapshots;

    public GenAiMetrics(MeterRegistry registry, SnapshotStore snapshots) {
        this.registry = registry;
        this.snapshots = snapshots;
    }

    /** The meters of one label set, registered once (issue #16: no builder or tag sorting per call). */
    private record Meters(Timer duration, io.micrometer.core.instrument.Counter calls) {
    }

    /** The token histograms of one label set, registered on the first call that used tokens. */
    private record TokenMeters(DistributionSummary input, DistributionSummary output) {
    }

    /** One label set; every part is bounded (see the class comment), so is this cache. */
    private record Key(String operation, String provider, String model, String endpoint, int status) {
    }

    private final java.util.concurrent.ConcurrentHashMap<Key, Meters> meters = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<Key, TokenMeters> tokenMeters = new java.util.concurrent.ConcurrentHashMap<>();

    /** Records the finished call {@code e} (cheap: one map lookup and three or four meter updates). */
    public void record(UsageRecorded e) {
        EdgeSnapshot snapshot = snapshots.current();
        String operation = "embeddings".equals(e.endpoint()) ? "embeddings" : "chat";
        String provider = providerName(snapshot, e.providerId());
        String model = publicModel(snapshot, e.model());
        Key key = new Key(operation, provider, model, e.endpoint() == null ? "none" : e.endpoint(),
                Math.max(0, Math.min(999, e.httpStatus())));
        Meters m = meters.computeIfAbsent(key, this::register);
        if (e.providerId() != null && e.totalTokens() > 0) {
            TokenMeters t = tokenMeters.computeIfAbsent(new Key(operation, provider, model, null, 0), this::registerTokens);
            t.input().record(e.promptTokens());
            t.output().record(e.completionTokens());
        }
        m.duration().record(e.latencyMs(), TimeUnit.MILLISECONDS);
        m.calls().increment();
    }

    private Meters register(Key k) {
        Tags tags = Tags.of("gen_ai.operation.name", k.operation(), "gen_ai.provider.name", k.provider(),
                "gen_ai.request.model", k.model());
        // Prometheus wants one set of label names per metric: error.type is empty ("absent") on success
        Tags timed = tags.and("error.type", k.status() >= 400 ? Integer.toString(k.status()) : "");
        return new Meters(Timer.builder(DURATION).description("GenAI operation duration").tags(timed)
                        .serviceLevelObjectives(durations()).register(registry),
                registry.counter(CALLS, tags.and("llmproxy.client.endpoint", k.endpoint(),
                        "http.response.status_class", (k.status() / 100) + "xx")));
    }

    private TokenMeters registerTokens(Key k) {
        Tags tags = Tags.of("gen_ai.operation.name", k.operation(), "gen_ai.provider.name", k.provider(),
                "gen_ai.request.model", k.model());
        return new TokenMeters(tokens(tags.and("gen_ai.token.type", "input")), tokens(tags.and("gen_ai.token.type", "output")));
    }

    private DistributionSummary tokens(Tags tags) {
        // unit {token}: an annotation, which the Prometheus name leaves out (gen_ai_client_token_usage)
        return DistributionSummary.builder(TOKEN_USAGE).description("Number of tokens used")
                .tags(tags).serviceLevelObjectives(TOKEN_BUCKETS).register(registry);
    }

    private static Duration[] durations() {
        Duration[] out = new Duration[DURATION_BUCKETS.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Duration.ofNanos((long) (DURATION_BUCKETS[i] * 1_000_000_000L));
        }
        return out;
    }

    /** @return {@code model} when it is a global route's public name, else {@code other} (a bounded label) */
    static String publicModel(EdgeSnapshot snapshot, String model) {
        return model != null && snapshot.routes().containsKey(RouteKey.global(model)) ? model : "other";
    }

    /** @return the convention's {@code gen_ai.provider.name} for the provider's type, {@code none} without one */
    static String providerName(EdgeSnapshot snapshot, String providerId) {
        EdgeSnapshot.ProviderEntry p = providerId == null ? null : snapshot.providersById().get(providerId);
        if (p == null) {
            return "none";
        }
        return CallTracing.providerName(p.type());
    }
}
