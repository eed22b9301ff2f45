package io.llmproxy.kernel.route;

import java.util.List;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Command: route a public model name to one or more provider models (create or replace).
 *
 * @param routeId  aggregate identifier: the model name for a global route,
 *                 {@code <tenantId>/<model>} for a tenant's own route (see {@link #idOf})
 * @param tenantId the tenant that owns the route, or null for a global route
 * @param model    public model name clients send, 1..200 characters
 * @param targets  at least one target (at most 20), chosen by the policy's strategy
 * @param policy   strategy, fallbacks, retry and timeouts; null = {@link RoutePolicy#DEFAULT}
 */
public record DefineRoute(@TargetAggregateIdentifier String routeId, String tenantId, String model,
                          List<RouteTarget> targets, RoutePolicy policy) {

    /** A route with the default policy. */
    public DefineRoute(String routeId, String tenantId, String model, List<RouteTarget> targets) {
        this(routeId, tenantId, model, targets, null);
    }

    /** A global route with the default policy. */
    public DefineRoute(String model, List<RouteTarget> targets) {
        this(idOf(null, model), null, model, targets, null);
    }

    /** @return the aggregate id of the route of {@code model} for {@code tenantId} (null = global) */
    public static String idOf(String tenantId, String model) {
        return tenantId == null ? model : tenantId + "/" + model;
    }
}
