package io.llmproxy.command.route;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.command.common.Text;
import io.llmproxy.kernel.route.DefineRoute;
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
        for (int i = 0; i < command.targets().size(); i++) {
            RouteTarget t = command.targets().get(i);
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

    static boolean sameTargets(List<RouteTarget> a, List<RouteTarget> b) {
        return a.equals(b);
    }
}
