package io.llmproxy.command.access;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.command.common.Text;
import io.llmproxy.kernel.access.AssignRole;
import io.llmproxy.kernel.access.Scope;
import java.util.Locale;

/** Pure checks of role assignments (no Axon, no Spring); see ADR 0013. */
final class RoleAssignmentRules {

    /** Longest principal name, in characters (Keycloak's user name limit). */
    static final int MAX_PRINCIPAL_LENGTH = 255;
    /** Shape of an assignment id: a name-based (version 3) UUID, as {@link AssignRole#idOf} makes. */
    private static final String ID_SHAPE = "[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    private RoleAssignmentRules() {
    }

    /**
     * @throws CommandRejected 400 naming {@code principal} (blank, longer than 255, whitespace or
     *                         control characters, not lower-case), {@code role} (absent, or not
     *                         assignable at the scope), {@code tenantId} (blank or unclean), or
     *                         {@code assignmentId} (not the id of the other three)
     */
    static void checkAssign(AssignRole command) {
        requirePrincipal(command.principal());
        if (command.role() == null) {
            throw CommandRejected.invalid("role", "role must be one of PlatformAdmin, TenantAdmin, Developer, FinanceReader, Auditor");
        }
        if (command.tenantId() != null) {
            Text.requireClean("tenantId", command.tenantId());
            if (command.tenantId().isBlank()) {
                throw CommandRejected.invalid("tenantId", "tenantId must not be blank (omit it for platform scope)");
            }
        }
        Scope scope = Scope.of(command.tenantId());
        if (!command.role().assignableAt(scope)) {
            throw CommandRejected.invalid("role", command.role().platformScoped()
                    ? command.role() + " is assigned at platform scope only: omit tenantId"
                    : command.role() + " is assigned at a tenant only: give tenantId");
        }
        if (!AssignRole.idOf(command.principal(), command.role(), command.tenantId()).equals(command.assignmentId())) {
            throw CommandRejected.invalid("assignmentId", "assignmentId must be the id of (principal, role, scope)");
        }
    }

    /** @throws CommandRejected 400 naming {@code principal} unless it is 1..255 lower-case characters without whitespace or controls */
    static void requirePrincipal(String principal) {
        if (principal == null || principal.isBlank()) {
            throw CommandRejected.invalid("principal", "principal must not be blank");
        }
        Text.requireClean("principal", principal);
        if (principal.length() > MAX_PRINCIPAL_LENGTH) {
            throw CommandRejected.invalid("principal", "principal must be at most " + MAX_PRINCIPAL_LENGTH + " characters");
        }
        if (principal.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c))) {
            throw CommandRejected.invalid("principal", "principal must not contain whitespace");
        }
        if (!principal.equals(principal.toLowerCase(Locale.ROOT))) {
            throw CommandRejected.invalid("principal", "principal must be lower-case (a Keycloak preferred_username)");
        }
    }

    /** @return true when {@code assignmentId} has the shape of an assignment id (anything else cannot exist: 404) */
    static boolean wellFormedId(String assignmentId) {
        return assignmentId != null && assignmentId.matches(ID_SHAPE);
    }

    /** @return true when the assignment is not in force and must now be assigned; false when already in force (no event) */
    static boolean mustAssign(boolean inForce) {
        return !inForce;
    }

    /** @throws CommandRejected 404 naming {@code assignmentId} when the assignment is not in force */
    static void requireInForce(boolean inForce, String assignmentId) {
        if (!inForce) {
            throw notFound(assignmentId);
        }
    }

    static CommandRejected notFound(String assignmentId) {
        return CommandRejected.notFound("assignmentId", "role assignment " + assignmentId + " not found");
    }
}
