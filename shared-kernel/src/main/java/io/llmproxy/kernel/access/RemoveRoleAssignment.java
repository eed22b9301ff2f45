package io.llmproxy.kernel.access;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Command: remove a role assignment that is in force.
 *
 * @param assignmentId the id {@link AssignRole#idOf} gave it (returned by the assign request)
 */
public record RemoveRoleAssignment(@TargetAggregateIdentifier String assignmentId) {
}
