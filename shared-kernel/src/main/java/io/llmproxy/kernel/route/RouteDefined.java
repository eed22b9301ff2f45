package io.llmproxy.kernel.route;

import java.time.Instant;
import java.util.List;
import org.axonframework.serialization.Revision;

/**
 * Event: a public model name was routed (or re-routed) to provider models.
 *
 * <p>Revision 2 added {@code tenantId}; a revision 1 payload reads with a null tenant, i.e. a
 * global route, which is what every revision 1 route was (ADR 0005).
 *
 * @param model      public model name
 * @param targets    the targets, in order of preference
 * @param occurredAt when it took effect (UTC)
 * @param tenantId   owning tenant, or null for a global route
 */
@Revision("2")
public record RouteDefined(String model, List<RouteTarget> targets, Instant occurredAt, String tenantId) {

    /** A global route. */
    public RouteDefined(String model, List<RouteTarget> targets, Instant occurredAt) {
        this(model, targets, occurredAt, null);
    }
}
