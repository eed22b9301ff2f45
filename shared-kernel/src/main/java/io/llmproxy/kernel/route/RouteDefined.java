package io.llmproxy.kernel.route;

import java.time.Instant;
import java.util.List;
import org.axonframework.serialization.Revision;

/**
 * Event: a public model name was routed (or re-routed) to provider models.
 *
 * @param model      public model name
 * @param targets    the targets, in order of preference
 * @param occurredAt when it took effect (UTC)
 */
@Revision("1")
public record RouteDefined(String model, List<RouteTarget> targets, Instant occurredAt) {
}
