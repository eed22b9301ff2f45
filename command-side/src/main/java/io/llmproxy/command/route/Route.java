package io.llmproxy.command.route;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import io.llmproxy.kernel.route.RouteDefined;
import io.llmproxy.kernel.route.RoutePolicy;
import io.llmproxy.kernel.route.RouteTarget;
import java.util.List;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * Route aggregate, identified by the public model name (global) or {@code tenantId/model}. Defined (created or replaced) through
 * {@link RouteCommandHandler}, which first checks that every target provider exists.
 */
@Aggregate
public class Route {

    @AggregateIdentifier
    private String routeId;
    private List<RouteTarget> targets = List.of();
    private RoutePolicy policy;

    public Route() {
    }

    /** Applies {@link RouteDefined} unless targets and policy are unchanged (a repeated PUT is a no-op). */
    void define(String tenantId, String model, List<RouteTarget> newTargets, RoutePolicy newPolicy) {
        if (!RouteRules.sameTargets(targets, newTargets) || !java.util.Objects.equals(policy, newPolicy)) {
            apply(new RouteDefined(model, List.copyOf(newTargets), GenericEventMessage.clock.instant(), tenantId, newPolicy));
        }
    }

    /** @return the route's fallback model names (empty for none), for the cycle check of other routes */
    List<String> fallbacks() {
        return RoutePolicy.orDefault(policy).fallbacksOrEmpty();
    }

    @EventSourcingHandler
    void on(RouteDefined event) {
        this.routeId = io.llmproxy.kernel.route.DefineRoute.idOf(event.tenantId(), event.model());
        this.targets = event.targets();
        this.policy = event.policy();
    }
}
