package io.llmproxy.command.access;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import io.llmproxy.kernel.access.AssignRole;
import io.llmproxy.kernel.access.Role;
import io.llmproxy.kernel.access.RoleAssigned;
import io.llmproxy.kernel.access.RoleAssignmentRemoved;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * One role assignment (principal, role, scope), identified by {@link AssignRole#idOf}: assigned,
 * removed, perhaps assigned again. Commands reach it through {@link RoleAssignmentCommandHandler};
 * decisions are {@link RoleAssignmentRules}'. Why one aggregate per assignment: ADR 0013.
 */
@Aggregate
public class RoleAssignment {

    @AggregateIdentifier
    private String assignmentId;
    private String principal;
    private Role role;
    private String tenantId;
    private boolean inForce;

    public RoleAssignment() {
    }

    /** @return true when {@link RoleAssigned} was applied, false when the assignment was already in force */
    boolean assign(AssignRole command) {
        if (!RoleAssignmentRules.mustAssign(inForce)) {
            return false;
        }
        apply(new RoleAssigned(command.tenantId(), command.assignmentId(), command.principal(), command.role(),
                GenericEventMessage.clock.instant()));
        return true;
    }

    /**
     * Applies {@link RoleAssignmentRemoved}; 404 when the assignment is not in force, or when
     * {@code atTenant} is given and the assignment is not at that tenant.
     */
    void remove(String requestedId, String atTenant) {
        RoleAssignmentRules.requireInForce(inForce && principal != null
                && (atTenant == null || atTenant.equals(tenantId)), requestedId);
        apply(new RoleAssignmentRemoved(tenantId, assignmentId, principal, role, GenericEventMessage.clock.instant()));
    }

    @EventSourcingHandler
    void on(RoleAssigned event) {
        this.assignmentId = event.assignmentId();
        this.principal = event.principal();
        this.role = event.role();
        this.tenantId = event.tenantId();
        this.inForce = true;
    }

    @EventSourcingHandler
    void on(RoleAssignmentRemoved event) {
        this.inForce = false;
    }
}
