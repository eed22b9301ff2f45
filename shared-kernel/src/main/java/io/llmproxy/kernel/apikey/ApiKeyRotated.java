package io.llmproxy.kernel.apikey;

import java.time.Instant;
import org.axonframework.serialization.Revision;
import io.llmproxy.kernel.tenant.TenantScopedEvent;

/**
 * Event: a key got a new secret.
 *
 * @param keyHash            SHA-256 hex of the new key
 * @param displayPrefix      display prefix of the new key
 * @param previousKeyHash    SHA-256 hex of the key it replaces
 * @param previousValidUntil until when the previous key is still accepted (UTC)
 */
@Revision("1")
public record ApiKeyRotated(String tenantId, String apiKeyId, String keyHash, String displayPrefix,
                            String previousKeyHash, Instant previousValidUntil, Instant occurredAt) implements TenantScopedEvent {
}
