package io.llmproxy.kernel.apikey;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Command: revoke an API key; the edge refuses it within seconds (see ADR 0002).
 *
 * @param tenantId owning tenant (aggregate identifier)
 * @param apiKeyId the key to revoke
 */
public record RevokeApiKey(@TargetAggregateIdentifier String tenantId, String apiKeyId) {
}
