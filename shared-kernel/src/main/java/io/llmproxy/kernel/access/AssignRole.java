package io.llmproxy.kernel.access;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Command: assign {@code role} to {@code principal} at a scope (the platform when {@code tenantId}
 * is null, else that tenant). Assigning an assignment that is in force changes nothing.
 *
 * @param assignmentId aggregate identifier, {@link #idOf} of the other three (build with {@link #of})
 * @param principal    the person's or client's Keycloak {@code preferred_username}, lower-cased:
 *                     a tenant user's e-mail, {@code service-account-<clientId>}, {@code platform-admin};
 *                     1..255 characters, no whitespace or control characters
 * @param role         the role; {@link Role#PlatformAdmin} only at platform scope, the others only at a tenant
 * @param tenantId     the tenant of the scope, or null for the platform
 */
public record AssignRole(@TargetAggregateIdentifier String assignmentId, String principal, Role role, String tenantId) {

    /** @return the command for {@code principal} (lower-cased here), {@code role} and {@code tenantId}, with its id */
    public static AssignRole of(String principal, Role role, String tenantId) {
        String name = principal == null ? null : principal.toLowerCase(Locale.ROOT);
        return new AssignRole(idOf(name, role, tenantId), name, role, tenantId);
    }

    /**
     * The id of the assignment of {@code role} to {@code principal} at the scope of {@code tenantId}:
     * a name-based (version 3) UUID of the three, so assigning the same thing twice names the same
     * aggregate, and an assignment removed and assigned again keeps its id (ADR 0013).
     */
    public static String idOf(String principal, Role role, String tenantId) {
        String name = "role-assignment\n" + principal + "\n" + role + "\n" + Scope.of(tenantId).label();
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
