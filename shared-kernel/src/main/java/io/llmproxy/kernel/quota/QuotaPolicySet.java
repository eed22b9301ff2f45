package io.llmproxy.kernel.quota;

import java.time.Instant;
import org.axonframework.serialization.Revision;
import io.llmproxy.kernel.tenant.TenantScopedEvent;

/** Event: the quota policy of a tenant, user or key changed; the policy in force at any time is the last one before it. */
@Revision("1")
public record QuotaPolicySet(String tenantId, QuotaScope scope, String subjectId, QuotaLimits limits,
                             Instant occurredAt) implements TenantScopedEvent {
}
