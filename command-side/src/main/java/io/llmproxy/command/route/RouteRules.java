package io.llmproxy.command.route;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.command.common.Text;
import io.llmproxy.kernel.route.DefineRoute;
import io.llmproxy.kernel.route.RoutePolicy;
import io.llmproxy.kernel.route.RouteTarget;
import java.util.List;

/** Pure checks of a route definition (no Axon, no Spring). */
final class RouteRules {

    private RouteRules() {
    }

    static void check(DefineRoute command) {
        String model = command.model();
        if (model == null || model.isBlank() || model.length() > 200 || !model.matches("[A-Za-z0-9._:/@-]+")
                || model.startsWith("/") || model.endsWith("/") || model.contains("//")
                || java.util.Arrays.stream(model.split("/")).anyMatch(seg -> seg.equals(".") || seg.equals(".."))) {
            throw CommandRejected.invalid("model",
                    "model must be 1..200 characters of [A-Za-z0-9._:/@-], in segments that are not '.' or '..'");
        }
        if (command.targets() == null || command.targets().isEmpty()) {
            throw CommandRejected.invalid("targets", "targets must list at least one {providerId, model}");
        }
        if (command.targets().size() > MAX_TARGETS) {
            throw CommandRejected.invalid("targets", "a route has at most " + MAX_TARGETS + " targets");
        }
        for (int i = 0; i < command.targets().size(); i++) {
            RouteTarget t = command.targets().get(i);
            if (t != null && t.weight() != null && (t.weight() < 1 || t.weight() > 1000)) {
                throw CommandRejected.invalid("targets[" + i + "].weight", "weight must be 1..1000");
            }
            if (t != null && t.priority() != null && (t.priority() < 0 || t.priority() > 1000)) {
                throw CommandRejected.invalid("targets[" + i + "].priority", "priority must be 0..1000");
            }
            if (t == null || t.providerId() == null || t.providerId().isBlank()) {
                throw CommandRejected.invalid("targets[" + i + "].providerId", "providerId must not be blank");
            }
            if (t.model() == null || t.model().isBlank() || t.model().length() > 200) {
                throw CommandRejected.invalid("targets[" + i + "].model", "model must be 1..200 characters");
            }
            Text.requireClean("targets[" + i + "].model", t.model());
            Text.requireClean("targets[" + i + "].providerId", t.providerId());
        }
    }

    /** Most targets per route. */
    static final int MAX_TARGETS = 20;

    /**
     * Checks the policy's own fields (fallback existence and cycles need other routes: the handler).
     *
     * @throws CommandRejected 400 naming the field: {@code strategy} unknown, {@code fallbacks} more than
     *                         {@value RoutePolicy#MAX_FALLBACKS}, blank, repeated or naming the route itself,
     *                         {@code retry.attempts} outside 1..{@value RoutePolicy#MAX_ATTEMPTS},
     *                         {@code retry.backoffMs} outside 0..10000, a timeout outside its range
     */
    static void checkPolicy(String model, RoutePolicy policy) {
        if (policy == null) {
            return;
        }
        if (policy.strategy() != null && !RoutePolicy.STRATEGIES.contains(policy.strategy())) {
            throw CommandRejected.invalid("strategy", "strategy must be one of " + String.join(", ", RoutePolicy.STRATEGIES));
        }
        List<String> fallbacks = policy.fallbacksOrEmpty();
        if (fallbacks.size() > RoutePolicy.MAX_FALLBACKS) {
            throw CommandRejected.invalid("fallbacks", "at most " + RoutePolicy.MAX_FALLBACKS + " fallbacks");
        }
        for (int i = 0; i < fallbacks.size(); i++) {
            String f = fallbacks.get(i);
            if (f == null || f.isBlank() || f.length() > 200) {
                throw CommandRejected.invalid("fallbacks[" + i + "]", "a fallback is a public model name of 1..200 characters");
            }
            Text.requireClean("fallbacks[" + i + "]", f);
            if (f.equals(model) || fallbacks.indexOf(f) != i) {
                throw CommandRejected.invalid("fallbacks[" + i + "]", "fallback " + f + " names the route itself or repeats: a cycle");
            }
        }
        RoutePolicy.Retry retry = policy.retry();
        if (retry != null && retry.attempts() != null && (retry.attempts() < 1 || retry.attempts() > RoutePolicy.MAX_ATTEMPTS)) {
            throw CommandRejected.invalid("retry.attempts", "retry.attempts must be 1.." + RoutePolicy.MAX_ATTEMPTS);
        }
        if (retry != null && retry.backoffMs() != null && (retry.backoffMs() < 0 || retry.backoffMs() > 10_000)) {
            throw CommandRejected.invalid("retry.backoffMs", "retry.backoffMs must be 0..10000");
        }
        RoutePolicy.Timeouts t = policy.timeouts();
        if (t != null) {
            range("timeouts.connectMs", t.connectMs(), 60_000);
            range("timeouts.ttfbMs", t.ttfbMs(), 600_000);
            range("timeouts.idleMs", t.idleMs(), 600_000);
            range("timeouts.totalMs", t.totalMs(), 3_600_000);
        }
    }

    private static void range(String field, Integer value, int max) {
        if (value != null && (value < 100 || value > max)) {
            throw CommandRejected.invalid(field, field + " must be 100.." + max + " ms");
        }
    }

    static boolean sameTargets(List<RouteTarget> a, List<RouteTarget> b) {
        return a.equals(b);
    }
}
