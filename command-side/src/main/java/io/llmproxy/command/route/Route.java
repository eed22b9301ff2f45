package io.llmproxy.command.route;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import io.llmproxy.kernel.route.RouteDefined;
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

    public Route() {
    }

    /** Applies {@link RouteDefined} unless the targets are unchanged (a repeated PUT is a no-op). */
    void define(String tenantId, String model, List<RouteTarget> newTargets) {
        if (!RouteRules.sameTargets(targets, newTargets)) {
            apply(new RouteDefined(model, List.copyOf(newTargets), GenericEventMessage.clock.instant(), tenantId));
        }
    }

    @EventSourcingHandler
    void on(RouteDefined event) {
        this.routeId = io.llmproxy.kernel.route.DefineRoute.idOf(event.tenantId(), event.model());
        this.targets = event.targets();
    }
}
