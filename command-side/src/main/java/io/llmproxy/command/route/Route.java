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
 * Route aggregate, identified by the public model name. Defined (created or replaced) through
 * {@link RouteCommandHandler}, which first checks that every target provider exists.
 */
@Aggregate
public class Route {

    @AggregateIdentifier
    private String model;
    private List<RouteTarget> targets = List.of();

    public Route() {
    }

    /** Applies {@link RouteDefined} unless the targets are unchanged (a repeated PUT is a no-op). */
    void define(String model, List<RouteTarget> newTargets) {
        if (!RouteRules.sameTargets(targets, newTargets)) {
            apply(new RouteDefined(model, List.copyOf(newTargets), GenericEventMessage.clock.instant()));
        }
    }

    @EventSourcingHandler
    void on(RouteDefined event) {
        this.model = event.model();
        this.targets = event.targets();
    }
}
