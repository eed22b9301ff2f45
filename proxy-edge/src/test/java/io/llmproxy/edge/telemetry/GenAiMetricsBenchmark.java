package io.llmproxy.edge.telemetry;

import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteKey;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import io.llmproxy.edge.snapshot.SnapshotStore;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CPU the metrics add per finished call, in µs (issue #12's budget: telemetry ≤ 30 µs per
 * call): {@link #record}: one {@link GenAiMetrics#record} into a Prometheus registry (two token histograms, one
 * duration histogram, one counter); {@link #recordAll}: that plus {@link GatewayMetrics#record} of a streamed
 * call with one attempt (added time, attempts, time to first token, time per output token), i.e. every metric
 * the edge records per call. Not a test; run by hand like {@code TranslationBenchmark}:
 * <pre>
 * mvn -q -o -pl proxy-edge dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp proxy-edge/target/test-classes:proxy-edge/target/classes:$(cat /tmp/cp.txt) org.openjdk.jmh.Main GenAiMetricsBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GenAiMetricsBenchmark {

    private GenAiMetrics metrics;
    private GatewayMetrics gateway;
    private UsageRecorded event;
    private UsageRecorded streamed;

    @Setup
    public void setUp() {
        SnapshotStore store = new SnapshotStore();
        store.replace(new EdgeSnapshot(Map.of(), Map.of(RouteKey.global("gpt-4o-mini"),
                new RouteEntry(null, "gpt-4o-mini", List.of(new Target("p1", "m")), Instant.now())),
                Map.of("p1", new ProviderEntry("p1", "sim", "openai", "http://x", "k")), Map.of(), Map.of(), 1, Instant.now()));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics = new GenAiMetrics(registry, store);
        gateway = new GatewayMetrics(registry, store, new io.llmproxy.edge.routing.TargetHealth(10, 5, 50f,
                java.time.Duration.ofSeconds(10)), java.time.Clock.systemUTC(), false);
        event = new UsageRecorded("e", 4, "t", "k", "chat.completions", "gpt-4o-mini", "p1", "m", false, 120, 40, 160, 35,
                200, UsageRecorded.Outcome.SUCCESS, Instant.now(), null, false, null, 0, null, null);
        streamed = new UsageRecorded("e", 4, "t", "k", "chat.completions", "gpt-4o-mini", "p1", "m", true, 120, 40, 160,
                350, 200, UsageRecorded.Outcome.SUCCESS, Instant.now(), null, false, null, 0, null, null,
                List.of(new io.llmproxy.kernel.usage.UsageAttempt("p1", "m", 200, null, 30, true)), "api-key:k");
    }

    @Benchmark
    public void recordAll() {
        metrics.record(streamed);
        gateway.record(streamed, 45_000_000L);
    }

    @Benchmark
    public void record() {
        metrics.record(event);
    }
}
