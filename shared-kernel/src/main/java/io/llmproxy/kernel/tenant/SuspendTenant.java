package io.llmproxy.kernel.tenant;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Command: suspend a tenant; the edge refuses its keys with 403 within seconds. */
public record SuspendTenant(@TargetAggregateIdentifier String tenantId) {
}
