package io.llmproxy.kernel.tenant;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** Event: a tenant was renamed. */
@Revision("1")
public record TenantRenamed(String tenantId, String name, Instant occurredAt) implements TenantScopedEvent {
}
