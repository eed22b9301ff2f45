package io.llmproxy.kernel.tenant;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** Event: a tenant was suspended. */
@Revision("1")
public record TenantSuspended(String tenantId, Instant occurredAt) implements TenantScopedEvent {
}
