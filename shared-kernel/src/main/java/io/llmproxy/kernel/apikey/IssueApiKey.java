package io.llmproxy.kernel.apikey;

import java.time.Instant;
import java.util.List;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Command: issue an API key for a tenant. Handled by the tenant aggregate, which owns its keys.
 * The caller generates the key (see {@link ApiKeys#generate()}) and sends only its hash; the
 * plain key never enters a command or an event.
 *
 * @param tenantId      owning tenant (aggregate identifier)
 * @param apiKeyId      new key id (UUID string)
 * @param name          display name, 1..200 characters
 * @param keyHash       SHA-256 of the key, lowercase hex (64 chars)
 * @param displayPrefix the first characters of the key, safe to show (e.g. {@code llmp_Ab3dE})
 * @param ownerUserId   the user who owns the key, or null (a tenant-level key)
 * @param allowedModels public model names the key may call, or null for every model the tenant sees
 * @param expiresAt     when the key stops working, or null for never
 */
public record IssueApiKey(@TargetAggregateIdentifier String tenantId, String apiKeyId, String name,
                          String keyHash, String displayPrefix, String ownerUserId, List<String> allowedModels,
                          Instant expiresAt) {

    /** A tenant-level key for every model, without expiry. */
    public IssueApiKey(String tenantId, String apiKeyId, String name, String keyHash, String displayPrefix) {
        this(tenantId, apiKeyId, name, keyHash, displayPrefix, null, null, null);
    }
}
