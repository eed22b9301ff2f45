package io.llmproxy.kernel.apikey;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * Event: an API key was issued. Carries the key's hash only, never the key.
 *
 * @param tenantId      owning tenant
 * @param apiKeyId      key id (UUID string)
 * @param name          display name
 * @param keyHash       SHA-256 of the key, lowercase hex
 * @param displayPrefix first characters of the key, safe to show
 * @param occurredAt    when it was issued (UTC)
 */
@Revision("1")
public record ApiKeyIssued(String tenantId, String apiKeyId, String name, String keyHash,
                           String displayPrefix, Instant occurredAt) {
}
