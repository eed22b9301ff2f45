package io.llmproxy.kernel.apikey;

import java.time.Instant;
import java.util.List;
import org.axonframework.serialization.Revision;
import io.llmproxy.kernel.tenant.TenantScopedEvent;

/**
 * Event: an API key was issued. Carries the key's hash only, never the key.
 *
 * <p>Revision 2 added {@code ownerUserId}, {@code allowedModels} and {@code expiresAt}; a
 * revision 1 payload has none of them and reads as null (a tenant-level key for every model,
 * without expiry), which is what revision 1 meant, so no upcaster is needed (ADR 0005).
 *
 * @param tenantId      owning tenant
 * @param apiKeyId      key id (UUID string)
 * @param name          display name
 * @param keyHash       SHA-256 of the key, lowercase hex
 * @param displayPrefix first characters of the key, safe to show
 * @param occurredAt    when it was issued (UTC)
 * @param ownerUserId   owning user, or null
 * @param allowedModels allowed public model names, or null for all
 * @param expiresAt     expiry (UTC), or null
 */
@Revision("2")
public record ApiKeyIssued(String tenantId, String apiKeyId, String name, String keyHash,
                           String displayPrefix, Instant occurredAt, String ownerUserId, List<String> allowedModels,
                           Instant expiresAt) implements TenantScopedEvent {

    /** A tenant-level key for every model, without expiry. */
    public ApiKeyIssued(String tenantId, String apiKeyId, String name, String keyHash, String displayPrefix,
                        Instant occurredAt) {
        this(tenantId, apiKeyId, name, keyHash, displayPrefix, occurredAt, null, null, null);
    }
}
