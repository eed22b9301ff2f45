package io.llmproxy.kernel.access;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Command: remove a role assignment that is in force.
 *
 * @param assignmentId the id {@link AssignRole#idOf} gave it (returned by the assign request)
 * @param tenantId     when not null, the assignment must be at this tenant (else it is "not in force"):
 *                     the tenant-scoped endpoint's guard; null removes at any scope
 */
public record RemoveRoleAssignment(@TargetAggregateIdentifier String assignmentId, String tenantId) {

    /** @return a removal at any scope */
    public RemoveRoleAssignment(String assignmentId) {
        this(assignmentId, null);
    }
}
