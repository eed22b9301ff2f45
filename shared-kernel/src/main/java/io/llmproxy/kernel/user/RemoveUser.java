package io.llmproxy.kernel.user;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Command: remove a user from a tenant; keys they own are revoked with them. */
public record RemoveUser(@TargetAggregateIdentifier String tenantId, String userId) {
}
