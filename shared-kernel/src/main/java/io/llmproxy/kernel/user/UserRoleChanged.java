package io.llmproxy.kernel.user;

import java.time.Instant;
import org.axonframework.serialization.Revision;
import io.llmproxy.kernel.tenant.TenantScopedEvent;

/** Event: a user's role changed. */
@Revision("1")
public record UserRoleChanged(String tenantId, String userId, UserRole role, Instant occurredAt) implements TenantScopedEvent {
}
