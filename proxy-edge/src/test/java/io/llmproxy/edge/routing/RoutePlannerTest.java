package io.llmproxy.edge.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The strategies' orders (issue #11), measured over many plans. */
class RoutePlannerTest {

    final TargetHealth health = new TargetHealth(10, 5, 50, Duration.ofSeconds(10));
    final RoutePlanner planner = new RoutePlanner(health);
    final Target a = new Target("pa", "m", 70, 1);
    final Target b = new Target("pb", "m", 30, 0);

    @Test
    void weights70To30SplitFirstPicksWithin2PointsOver20000Plans() {
        int n = 20_000;
        int firstIsA = 0;
        for (int i = 0; i < n; i++) {
            List<Target> order = planner.order(List.of(a, b), "weighted");
            assertThat(order).containsExactlyInAnyOrder(a, b);
            if (order.get(0).equals(a)) {
                firstIsA++;
            }
        }
        assertThat(firstIsA / (double) n).isCloseTo(0.70, within(0.02));
    }

    @Test
    void priorityPutsTheLowestNumberFirst() {
        assertThat(planner.order(List.of(a, b), "priority")).containsExactly(b, a);
    }

    @Test
    void leastLatencyPrefersA20msTargetToA200msOneAfterWarmUp() {
        Target fast = new Target("fast", "m");
        Target slow = new Target("slow", "m");
        // never measured: both count as 0 ms, so each gets tried
        assertThat(planner.order(List.of(slow, fast), "least-latency")).containsExactly(slow, fast);
        for (int i = 0; i < 5; i++) {
            health.succeeded(fast, TimeUnit.MILLISECONDS.toNanos(20));
            health.succeeded(slow, TimeUnit.MILLISECONDS.toNanos(200));
        }
        assertThat(health.ttfbMs(fast)).isCloseTo(20, within(0.01));
        for (int i = 0; i < 100; i++) {
            assertThat(planner.order(List.of(slow, fast), "least-latency").get(0)).isEqualTo(fast);
        }
    }

    @Test
    void leastBusyPrefersTheTargetWithFewerCallsInFlight() {
        Target busy = new Target("busy", "m");
        Target idle = new Target("idle", "m");
        Runnable end1 = health.begin(busy);
        Runnable end2 = health.begin(busy);
        health.begin(idle).run();
        assertThat(health.inFlight(busy)).isEqualTo(2);
        assertThat(health.inFlight(idle)).isZero();
        for (int i = 0; i < 50; i++) {
            assertThat(planner.order(List.of(busy, idle), "least-busy").get(0)).isEqualTo(idle);
        }
        end1.run();
        end1.run();
        end2.run();
        assertThat(health.inFlight(busy)).isZero();
    }

    @Test
    void aRetryAfterCoolsATargetDownAndFiveFailuresOpenItsBreaker() {
        Target t = new Target("cool", "m");
        assertThat(health.tryAcquire(t)).isTrue();
        health.failed(t, 1_000, new RuntimeException("429"), 2);
        assertThat(health.tryAcquire(t)).isFalse();
        Target f = new Target("fail", "m");
        for (int i = 0; i < 5; i++) {
            assertThat(health.tryAcquire(f)).as("attempt %d", i).isTrue();
            health.failed(f, 1_000, new RuntimeException("503"), 0);
        }
        assertThat(health.tryAcquire(f)).isFalse();
    }
}
