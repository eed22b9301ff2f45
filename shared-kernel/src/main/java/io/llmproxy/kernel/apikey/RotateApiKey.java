package io.llmproxy.kernel.apikey;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Command: give a key a new secret; the old one keeps working for {@code graceSeconds}.
 *
 * @param newKeyHash       SHA-256 hex of the new key
 * @param newDisplayPrefix display prefix of the new key
 * @param graceSeconds     how long the previous key still works, 0..604800 (7 days)
 */
public record RotateApiKey(@TargetAggregateIdentifier String tenantId, String apiKeyId, String newKeyHash,
                           String newDisplayPrefix, long graceSeconds) {
}
