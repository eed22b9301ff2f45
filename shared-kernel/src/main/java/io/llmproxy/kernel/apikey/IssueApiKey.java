package io.llmproxy.kernel.apikey;

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
 */
public record IssueApiKey(@TargetAggregateIdentifier String tenantId, String apiKeyId, String name,
                          String keyHash, String displayPrefix) {
}
