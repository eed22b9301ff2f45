package io.llmproxy.kernel.apikey;

import java.time.Instant;
import org.axonframework.serialization.Revision;
import io.llmproxy.kernel.tenant.TenantScopedEvent;

/**
 * Event: an API key was revoked.
 *
 * @param tenantId   owning tenant
 * @param apiKeyId   the revoked key
 * @param occurredAt when it was revoked (UTC)
 */
@Revision("1")
public record ApiKeyRevoked(String tenantId, String apiKeyId, Instant occurredAt) implements TenantScopedEvent {
}
