package io.llmproxy.kernel.quota;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Command: set (replace) the quota policy of a tenant, one of its users or one of its keys.
 *
 * @param subjectId the tenant id, user id or API key id, by {@code scope}
 * @param limits    the new limits (all null = remove every limit at this level)
 */
public record SetQuotaPolicy(@TargetAggregateIdentifier String tenantId, QuotaScope scope, String subjectId,
                             QuotaLimits limits) {
}
