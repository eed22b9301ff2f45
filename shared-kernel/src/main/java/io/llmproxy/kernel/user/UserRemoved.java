package io.llmproxy.kernel.user;

import java.time.Instant;
import org.axonframework.serialization.Revision;
import io.llmproxy.kernel.tenant.TenantScopedEvent;

/** Event: a user was removed from a tenant. */
@Revision("1")
public record UserRemoved(String tenantId, String userId, Instant occurredAt) implements TenantScopedEvent {
}
