package io.llmproxy.kernel.user;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Command: change a user's role. */
public record ChangeUserRole(@TargetAggregateIdentifier String tenantId, String userId, UserRole role) {
}
