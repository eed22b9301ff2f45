package io.llmproxy.edge.routing;

import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import io.llmproxy.kernel.route.RoutePolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.stereotype.Component;

/**
 * The order in which one call tries targets (issue #11): the route's targets ordered by its
 * strategy, then, in order, each fallback model's targets ordered by that route's strategy (a
 * fallback's own fallbacks follow it; a model is never planned twice, so no cycle can loop).
 * Health is not decided here: the attempt loop skips a target whose breaker is open or that cools
 * down after a {@code Retry-After}, and stops after the route's {@code retry.attempts}.
 *
 * <ul>
 *   <li>{@code weighted}: a weighted random order without replacement (Efraimidis–Spirakis keys
 *       {@code u^(1/w)}), so the first pick follows the weights exactly and the rest stay weighted.</li>
 *   <li>{@code priority}: by priority number, lowest first (ties by position).</li>
 *   <li>{@code least-latency}: by the moving average of time to first byte; a target never measured
 *       counts as 0 ms, so each is tried once while the edge warms up.</li>
 *   <li>{@code least-busy}: by calls in flight on this edge, ties in random order.</li>
 * </ul>
 */
@Component
public class RoutePlanner {

    /** One planned attempt: the public model whose route it belongs to, and the target. */
    public record Candidate(String model, Target target) {
    }

    private final TargetHealth health;

    public RoutePlanner(TargetHealth health) {
        this.health = health;
    }

    /**
     * @param snapshot the call's snapshot (fallback routes are looked up in it, as {@code tenantId} sees them)
     * @param tenantId the caller's tenant
     * @param route    the route of the model the client asked for
     * @return every candidate, in order; empty only for a route without targets
     */
    public List<Candidate> plan(EdgeSnapshot snapshot, String tenantId, RouteEntry route) {
        List<Candidate> out = new ArrayList<>();
        Set<String> planned = new HashSet<>();
        add(snapshot, tenantId, route, out, planned);
        return out;
    }

    private void add(EdgeSnapshot snapshot, String tenantId, RouteEntry route, List<Candidate> out, Set<String> planned) {
        if (!planned.add(route.model())) {
            return;
        }
        for (Target t : order(route.targets(), route.policy().strategyOrDefault())) {
            out.add(new Candidate(route.model(), t));
        }
        for (String fallback : route.policy().fallbacksOrEmpty()) {
            RouteEntry next = snapshot.route(tenantId, fallback);
            if (next != null) {
                add(snapshot, tenantId, next, out, planned);
            }
        }
    }

    /** @return {@code targets} in the order {@code strategy} tries them (a new list) */
    List<Target> order(List<Target> targets, String strategy) {
        if (targets.size() <= 1) {
            return targets;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<Target> ordered = new ArrayList<>(targets);
        switch (strategy) {
            case "priority" -> ordered.sort(Comparator.comparingInt(Target::priority));
            case "least-latency" -> ordered.sort(Comparator.comparingDouble(t -> Math.max(0, health.ttfbMs(t))));
            case "least-busy" -> {
                java.util.Collections.shuffle(ordered, random);
                ordered.sort(Comparator.comparingInt(health::inFlight));
            }
            default -> {
                double[] keys = new double[ordered.size()];
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = Math.pow(random.nextDouble(), 1.0 / Math.max(1, ordered.get(i).weight()));
                }
                List<Integer> index = new ArrayList<>();
                for (int i = 0; i < keys.length; i++) {
                    index.add(i);
                }
                index.sort((a, b) -> Double.compare(keys[b], keys[a]));
                List<Target> weighted = new ArrayList<>(ordered.size());
                for (int i : index) {
                    weighted.add(ordered.get(i));
                }
                return weighted;
            }
        }
        return ordered;
    }

    /** @return which credential of {@code provider} the next attempt uses ({@link TargetHealth#credential}) */
    public int credential(io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry provider) {
        return health.credential(provider.providerId(), provider.credentialCount());
    }

    /** @return the most attempts a call of {@code route} makes over all candidates */
    public static int maxAttempts(RouteEntry route) {
        return Math.min(RoutePolicy.MAX_ATTEMPTS, route.policy().retryOrDefault().attemptsOrDefault());
    }
}
