package io.llmproxy.kernel.audit;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Command: a tenant opts in to (or out of) storing prompt and completion text in its audit log.
 * Stored text is always masked (API keys, bearer tokens, cloud credentials; see the projection's
 * {@code SecretMasker}). Off by default.
 *
 * @param tenantId           the tenant
 * @param storePromptContent true to store masked prompt/completion text, false to stop
 */
public record SetAuditContentPolicy(@TargetAggregateIdentifier String tenantId, boolean storePromptContent) {
}
