package io.llmproxy.kernel.tenant;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Command: rename a tenant. @param name new display name, 1..200 characters */
public record RenameTenant(@TargetAggregateIdentifier String tenantId, String name) {
}
