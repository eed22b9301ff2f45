package io.llmproxy.kernel.tenant;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Command: create a tenant, the unit that owns API keys, usage and audit rows.
 *
 * @param tenantId new tenant id (UUID string, chosen by the caller)
 * @param name     display name, 1..200 characters
 */
public record CreateTenant(@TargetAggregateIdentifier String tenantId, String name) {
}
