package io.llmproxy.kernel.access;

import java.time.Instant;
import org.axonframework.serialization.Revision;
import io.llmproxy.kernel.tenant.TenantScopedEvent;

/**
 * Event: a role was assigned to a principal at a scope.
 *
 * @param tenantId     the tenant of the scope, or null for the platform scope
 * @param assignmentId the assignment's id (see {@link AssignRole#idOf})
 * @param principal    the Keycloak {@code preferred_username}, lower-cased
 * @param role         the role
 * @param occurredAt   when the command was accepted (UTC instant); the assignment is in force from then
 */
@Revision("1")
public record RoleAssigned(String tenantId, String assignmentId, String principal, Role role, Instant occurredAt) implements TenantScopedEvent {
}
