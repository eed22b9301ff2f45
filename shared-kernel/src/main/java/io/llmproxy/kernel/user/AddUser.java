package io.llmproxy.kernel.user;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Command: add a user to a tenant (handled by the tenant aggregate, which owns its users).
 *
 * @param userId new user id (UUID string)
 * @param email  the user's e-mail address, unique within the tenant
 * @param role   the user's role
 */
public record AddUser(@TargetAggregateIdentifier String tenantId, String userId, String email, UserRole role) {
}
