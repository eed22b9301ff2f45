package io.llmproxy.kernel.tenant;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Command: reactivate a suspended tenant. */
public record ReactivateTenant(@TargetAggregateIdentifier String tenantId) {
}
