package io.llmproxy.kernel.user;

import java.time.Instant;
import org.axonframework.serialization.Revision;
import io.llmproxy.kernel.tenant.TenantScopedEvent;

/** Event: a user was added to a tenant. */
@Revision("1")
public record UserAdded(String tenantId, String userId, String email, UserRole role, Instant occurredAt) implements TenantScopedEvent {
}
