package io.llmproxy.kernel.tenant;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** Event: a suspended tenant was reactivated. */
@Revision("1")
public record TenantReactivated(String tenantId, Instant occurredAt) implements TenantScopedEvent {
}
