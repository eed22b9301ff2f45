package io.llmproxy.kernel.route;

import java.time.Instant;
import java.util.List;
import org.axonframework.serialization.Revision;
import io.llmproxy.kernel.tenant.TenantScopedEvent;

/**
 * Event: a public model name was routed (or re-routed) to provider models.
 *
 * <p>Revision 2 added {@code tenantId}; a revision 1 payload reads with a null tenant, i.e. a
 * global route, which is what every revision 1 route was (ADR 0005). Revision 3 added the targets'
 * {@code weight} and {@code priority} and the route's {@code policy} (issue #11); a revision 2
 * payload reads with nulls for them, i.e. the default policy and weights, and no upcaster is needed.
 *
 * @param model      public model name
 * @param targets    the targets, in order of preference
 * @param occurredAt when it took effect (UTC)
 * @param tenantId   owning tenant, or null for a global route
 * @param policy     strategy, fallbacks, retry, timeouts; null = {@link RoutePolicy#DEFAULT}
 */
@Revision("3")
public record RouteDefined(String model, List<RouteTarget> targets, Instant occurredAt, String tenantId,
                           RoutePolicy policy) implements TenantScopedEvent {

    /** A route with the default policy. */
    public RouteDefined(String model, List<RouteTarget> targets, Instant occurredAt, String tenantId) {
        this(model, targets, occurredAt, tenantId, null);
    }

    /** A global route. */
    public RouteDefined(String model, List<RouteTarget> targets, Instant occurredAt) {
        this(model, targets, occurredAt, null, null);
    }
}
