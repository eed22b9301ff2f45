package io.llmproxy.kernel.access;

import java.time.Instant;
import org.axonframework.serialization.Revision;
import io.llmproxy.kernel.tenant.TenantScopedEvent;

/**
 * Event: a role assignment was removed; it is no longer in force from {@code occurredAt} on.
 *
 * @param tenantId     the tenant of the scope, or null for the platform scope
 * @param assignmentId the assignment's id
 * @param principal    the principal that held it
 * @param role         the role it gave
 * @param occurredAt   when the command was accepted (UTC instant)
 */
@Revision("1")
public record RoleAssignmentRemoved(String tenantId, String assignmentId, String principal, Role role, Instant occurredAt) implements TenantScopedEvent {
}
