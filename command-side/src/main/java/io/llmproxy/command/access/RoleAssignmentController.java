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
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Admin commands on role assignments at scopes ({@code /admin/v1/role-assignments}, ADR 0013). */
@RestController
@RequestMapping("/admin/v1/role-assignments")
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

    /**
     * {@code POST /admin/v1/role-assignments {"principal","role","tenantId"?}} → 201
     * {@code {"assignmentId","principal","role","tenantId","scope"}}; the same body again while the
     * assignment is in force → 200 with the same id and no event. 400 naming the field, 404 unknown tenant.
     */
    @PostMapping
    ResponseEntity<Map<String, Object>> assign(@RequestBody AssignRequest request) {
        AssignRole command = AssignRole.of(request.principal(), request.role(), request.tenantId());
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
    @DeleteMapping("/{assignmentId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void remove(@PathVariable String assignmentId) {
        commands.sendAndWait(new RemoveRoleAssignment(assignmentId));
    }
}
