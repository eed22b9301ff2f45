package io.llmproxy.command.access;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.kernel.access.AssignRole;
import io.llmproxy.kernel.access.RemoveRoleAssignment;
import java.util.function.Predicate;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.IncompatibleAggregateException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.Repository;

/**
 * Handles {@link AssignRole} and {@link RemoveRoleAssignment}: checks the request and that the
 * tenant of a tenant-scoped assignment exists (as routes do), then creates or loads the
 * assignment aggregate.
 */
public class RoleAssignmentCommandHandler {

    private final Repository<RoleAssignment> assignments;
    private final Predicate<String> tenantExists;

    /**
     * @param assignments  the role assignment repository
     * @param tenantExists tells whether a tenant id exists
     */
    public RoleAssignmentCommandHandler(Repository<RoleAssignment> assignments, Predicate<String> tenantExists) {
        this.assignments = assignments;
        this.tenantExists = tenantExists;
    }

    /**
     * @return true when the assignment was made now, false when it was already in force (idempotent, no event)
     * @throws CommandRejected 400 invalid principal/role/scope (see {@link RoleAssignmentRules#checkAssign}),
     *                         404 unknown tenant
     */
    @CommandHandler
    public Boolean handle(AssignRole command) throws Exception {
        RoleAssignmentRules.checkAssign(command);
        if (command.tenantId() != null && !tenantExists.test(command.tenantId())) {
            throw CommandRejected.notFound("tenantId", "tenant " + command.tenantId() + " not found");
        }
        return assignments.loadOrCreate(command.assignmentId(), RoleAssignment::new)
                .invoke(assignment -> assignment.assign(command));
    }

    /** @throws CommandRejected 404 when no such assignment is in force (never assigned, or already removed) */
    @CommandHandler
    public void handle(RemoveRoleAssignment command) {
        if (!RoleAssignmentRules.wellFormedId(command.assignmentId())) {
            throw RoleAssignmentRules.notFound(command.assignmentId());
        }
        try {
            assignments.load(command.assignmentId()).execute(assignment -> assignment.remove(command.assignmentId(), command.tenantId()));
        } catch (AggregateNotFoundException | IncompatibleAggregateException e) {
            throw RoleAssignmentRules.notFound(command.assignmentId());
        }
    }
}
