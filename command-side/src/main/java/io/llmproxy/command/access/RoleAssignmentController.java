package io.llmproxy.command.access;

import io.llmproxy.kernel.access.AssignRole;
import io.llmproxy.kernel.access.RemoveRoleAssignment;
import io.llmproxy.kernel.access.Role;
import io.llmproxy.kernel.access.Scope;
import java.util.LinkedHashMap;
import java.util.Map;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Admin commands on role assignments at scopes ({@code /admin/v1/role-assignments}, ADR 0013). */
@RestController
class RoleAssignmentController {

    private final CommandGateway commands;

    RoleAssignmentController(CommandGateway commands) {
        this.commands = commands;
    }

    /**
     * @param principal the Keycloak {@code preferred_username} (lower-cased here)
     * @param role      {@code PlatformAdmin} (no tenantId) or {@code TenantAdmin}, {@code Developer},
     *                  {@code FinanceReader}, {@code Auditor} (with tenantId)
     * @param tenantId  the tenant of the scope; absent or null = platform scope
     */
    record AssignRequest(String principal, Role role, String tenantId) {
    }

    /** A tenant-scope assignment in the tenant of the path: {@code role} one of the tenant roles. */
    record TenantAssignRequest(String principal, Role role) {
    }

    /**
     * {@code POST /admin/v1/role-assignments {"principal","role","tenantId"?}} → 201
     * {@code {"assignmentId","principal","role","tenantId","scope"}}; the same body again while the
     * assignment is in force → 200 with the same id and no event. 400 naming the field, 404 unknown tenant.
     */
    @PostMapping("/admin/v1/role-assignments")
    ResponseEntity<Map<String, Object>> assign(@RequestBody AssignRequest request) {
        return send(AssignRole.of(request.principal(), request.role(), request.tenantId()));
    }

    /**
     * {@code POST /admin/v1/tenants/{tenantId}/role-assignments {"principal","role"}}: as above, at the
     * tenant of the path (the endpoint a {@code TenantAdmin} uses, {@code users:manage}); 400 for
     * {@code PlatformAdmin}, which is never assignable at a tenant.
     */
    @PostMapping("/admin/v1/tenants/{tenantId}/role-assignments")
    ResponseEntity<Map<String, Object>> assignInTenant(@PathVariable String tenantId,
                                                       @RequestBody TenantAssignRequest request) {
        return send(AssignRole.of(request.principal(), request.role(), tenantId));
    }

    private ResponseEntity<Map<String, Object>> send(AssignRole command) {
        Boolean created = commands.sendAndWait(command);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("assignmentId", command.assignmentId());
        body.put("principal", command.principal());
        body.put("role", command.role());
        body.put("tenantId", command.tenantId());
        body.put("scope", Scope.of(command.tenantId()).label());
        return ResponseEntity.status(Boolean.TRUE.equals(created) ? HttpStatus.CREATED : HttpStatus.OK).body(body);
    }

    /** {@code DELETE /admin/v1/role-assignments/{assignmentId}} → 204; 404 when no such assignment is in force. */
    @DeleteMapping("/admin/v1/role-assignments/{assignmentId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void remove(@PathVariable String assignmentId) {
        commands.sendAndWait(new RemoveRoleAssignment(assignmentId, null));
    }

    /**
     * {@code DELETE /admin/v1/tenants/{tenantId}/role-assignments/{assignmentId}} → 204; 404 when no
     * such assignment is in force at that tenant (an assignment of another scope is never removed here).
     */
    @DeleteMapping("/admin/v1/tenants/{tenantId}/role-assignments/{assignmentId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void removeInTenant(@PathVariable String tenantId, @PathVariable String assignmentId) {
        commands.sendAndWait(new RemoveRoleAssignment(assignmentId, tenantId));
    }
}
