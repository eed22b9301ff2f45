package io.llmproxy.kernel.route;

import java.util.List;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Command: route a public model name to one or more provider models (create or replace).
 *
 * @param model   public model name clients send, 1..200 characters (aggregate identifier)
 * @param targets at least one target; the first is used, the rest are fallbacks (later issue)
 */
public record DefineRoute(@TargetAggregateIdentifier String model, List<RouteTarget> targets) {
}
