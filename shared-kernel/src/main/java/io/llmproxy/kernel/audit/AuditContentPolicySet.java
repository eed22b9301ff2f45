package io.llmproxy.kernel.audit;

import java.time.Instant;
import org.axonframework.serialization.Revision;
import io.llmproxy.kernel.tenant.TenantScopedEvent;

/**
 * Event: a tenant's audit content policy changed.
 *
 * @param tenantId           the tenant
 * @param storePromptContent whether prompt/completion text (masked) is stored from now on
 * @param occurredAt         when it took effect (UTC)
 */
@Revision("1")
public record AuditContentPolicySet(String tenantId, boolean storePromptContent, Instant occurredAt) implements TenantScopedEvent {
}
