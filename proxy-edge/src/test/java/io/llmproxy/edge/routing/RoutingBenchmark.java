package io.llmproxy.edge.routing;

import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import io.llmproxy.kernel.route.RoutePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * CPU cost of routing's bookkeeping per call, in µs (issue #11: budget 5 µs): plan the candidates
 * by strategy, take the first target's breaker permit, count it in flight, record its success and
 * time to first byte, end the in-flight count — everything the attempt loop adds to a call that
 * its first target serves. {@code failover} adds one failed attempt (a 503: breaker error, cooldown
 * check) before the second target serves. Not a test; run by hand (classpath as in
 * {@code TranslationBenchmark}):
 * <pre>
 * java -cp proxy-edge/target/test-classes:proxy-edge/target/classes:$(cat /tmp/cp.txt) org.openjdk.jmh.Main RoutingBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoutingBenchmark {

    /** The route's strategy. */
    @Param({"weighted", "priority", "least-latency", "least-busy"})
    public String strategy;

    private TargetHealth health;
    private RoutePlanner planner;
    private EdgeSnapshot snapshot;
    private RouteEntry route;
    private final RuntimeException failure = new RuntimeException("503");

    @Setup
    public void setUp() {
        health = new TargetHealth(10, 5, 50, Duration.ofSeconds(10));
        planner = new RoutePlanner(health);
        route = new RouteEntry(null, "m", List.of(new Target("p1", "a", 70, 0), new Target("p2", "b", 30, 1),
                new Target("p3", "c", 10, 2)), Instant.now(),
                new RoutePolicy(strategy, List.of(), null, null));
        snapshot = EdgeSnapshot.EMPTY;
    }

    @Benchmark
    public void servedByFirst(Blackhole bh) {
        List<RoutePlanner.Candidate> plan = planner.plan(snapshot, "t", route);
        Target t = plan.get(0).target();
        if (health.tryAcquire(t)) {
            Runnable end = health.begin(t);
            health.succeeded(t, 20_000_000L);
            end.run();
        }
        bh.consume(plan);
    }

    @Benchmark
    public void failover(Blackhole bh) {
        List<RoutePlanner.Candidate> plan = planner.plan(snapshot, "t", route);
        Target first = plan.get(0).target();
        Target second = plan.get(1).target();
        if (health.tryAcquire(first)) {
            Runnable end = health.begin(first);
            health.failed(first, 1_000_000L, failure, 0);
            end.run();
        }
        if (health.tryAcquire(second)) {
            Runnable end = health.begin(second);
            health.succeeded(second, 20_000_000L);
            end.run();
        }
        // keep breakers closed: a failure-only stream would open them and measure the skip path only
        health.succeeded(first, 1_000_000L);
        bh.consume(plan);
    }

    /** Runs this benchmark (JMH main). */
    public static void main(String[] args) throws Exception {
        org.openjdk.jmh.Main.main(new String[] {RoutingBenchmark.class.getSimpleName()});
    }
}
