package io.llmproxy.kernel.tenant;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * Event: a tenant was created.
 *
 * @param tenantId   tenant id (UUID string)
 * @param name       display name
 * @param occurredAt when the command was accepted (UTC instant)
 */
@Revision("1")
public record TenantCreated(String tenantId, String name, Instant occurredAt) implements TenantScopedEvent {
}
