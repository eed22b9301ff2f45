package io.llmproxy.projection.access;

import io.llmproxy.kernel.access.Role;
import io.llmproxy.kernel.access.RoleAssigned;
import io.llmproxy.kernel.access.RoleAssignmentRemoved;
import io.llmproxy.kernel.user.UserAdded;
import io.llmproxy.kernel.user.UserRemoved;
import io.llmproxy.kernel.user.UserRoleChanged;
import io.llmproxy.projection.admin.AdminReadModelProjection;
import io.llmproxy.projection.support.PgText;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Builds {@code rm_role_assignment}, the history of who held which role at which scope (ADR 0013):
 * one row per period, from the event that started it ({@code valid_from}) to the one that ended it
 * ({@code valid_to}, null while in force), so "who held role R (or permission P) in tenant T at
 * instant t" is one query.
 *
 * <p>Explicit assignments ({@code source = 'command'}) come from {@link RoleAssigned} and
 * {@link RoleAssignmentRemoved}. Tenant users are the documented migration of the older user
 * model ({@code source = 'user'}): {@link UserAdded} opens the roles {@link Role#ofUserRole} gives
 * its {@code UserRole} (Reader → FinanceReader and Auditor) for the user's lower-cased e-mail at
 * the user's tenant; {@link UserRoleChanged} closes the roles the new one no longer gives and
 * opens the new ones; {@link UserRemoved} closes them all.
 *
 * <p>Idempotent under redelivery (a start is keyed by event id and role; an end only closes
 * periods started by earlier events) and rebuilt by replay to identical rows: it runs in the
 * {@value AdminReadModelProjection#NAME} processing group, whose reset empties the table.
 */
@Component
@ProcessingGroup(AdminReadModelProjection.NAME)
public class RoleAssignmentProjection {

    /** {@code source} of explicit assignments. */
    public static final String SOURCE_COMMAND = "command";
    /** {@code source} of the assignments implied by a tenant user's role. */
    public static final String SOURCE_USER = "user";

    private final JdbcTemplate jdbc;

    public RoleAssignmentProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(RoleAssigned e, EventMessage<?> message, TrackingToken token) {
        if (e.principal() == null || e.role() == null) {
            return; // never written by command-side's rules; a projection must not stop on it
        }
        open(e.assignmentId(), e.principal(), e.role(), e.tenantId(), SOURCE_COMMAND, null, e.occurredAt(), message, token);
    }

    @EventHandler
    void on(RoleAssignmentRemoved e, EventMessage<?> message, TrackingToken token) {
        jdbc.update("""
                UPDATE rm_role_assignment SET valid_to = ?, to_event_id = ?, to_index = ?
                WHERE assignment_id = ? AND source = 'command' AND valid_to IS NULL AND from_index < ?""",
                PgText.timestamp(e.occurredAt()), message.getIdentifier(), index(token), PgText.clean(e.assignmentId()),
                index(token));
    }

    @EventHandler
    void on(UserAdded e, EventMessage<?> message, TrackingToken token) {
        if (e.email() == null || e.email().isBlank()) {
            return; // never written by the tenant's rules; a projection must not stop on it
        }
        String principal = e.email().strip().toLowerCase(Locale.ROOT);
        for (Role role : Role.ofUserRole(e.role())) {
            open(userAssignmentId(e.userId(), role), principal, role, e.tenantId(), SOURCE_USER, e.userId(), e.occurredAt(),
                    message, token);
        }
    }

    @EventHandler
    void on(UserRoleChanged e, EventMessage<?> message, TrackingToken token) {
        List<String> principal = jdbc.queryForList("""
                SELECT principal FROM rm_role_assignment WHERE source = 'user' AND user_id = ? AND tenant_id = ?
                ORDER BY from_index DESC LIMIT 1""", String.class, e.userId(), e.tenantId());
        if (principal.isEmpty()) {
            return;
        }
        List<Role> now = Role.ofUserRole(e.role());
        List<String> held = jdbc.queryForList("""
                SELECT role FROM rm_role_assignment WHERE source = 'user' AND user_id = ? AND tenant_id = ? AND valid_to IS NULL""",
                String.class, e.userId(), e.tenantId());
        for (String role : held) {
            if (now.stream().noneMatch(r -> r.name().equals(role))) {
                closeUserRole(e.userId(), e.tenantId(), role, e.occurredAt(), message, token);
            }
        }
        for (Role role : now) {
            if (!held.contains(role.name())) {
                open(userAssignmentId(e.userId(), role), principal.get(0), role, e.tenantId(), SOURCE_USER, e.userId(),
                        e.occurredAt(), message, token);
            }
        }
    }

    @EventHandler
    void on(UserRemoved e, EventMessage<?> message, TrackingToken token) {
        closeUserRole(e.userId(), e.tenantId(), null, e.occurredAt(), message, token);
    }

    /** Replay starts from zero: empty the table this projection owns. */
    @ResetHandler
    void reset() {
        jdbc.execute("TRUNCATE rm_role_assignment");
    }

    /** @return the assignment id of the implicit assignment of {@code role} to tenant user {@code userId} */
    public static String userAssignmentId(String userId, Role role) {
        return "user:" + userId + "/" + role.name();
    }

    private void open(String assignmentId, String principal, Role role, String tenantId, String source, String userId,
                      Instant at, EventMessage<?> message, TrackingToken token) {
        jdbc.update("""
                INSERT INTO rm_role_assignment (assignment_id, principal, role, tenant_id, source, user_id, valid_from,
                    from_event_id, from_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (from_event_id, role) DO NOTHING""",
                PgText.clean(assignmentId), PgText.clean(principal), role.name(), PgText.clean(tenantId), source,
                PgText.clean(userId), PgText.timestamp(at), message.getIdentifier(), index(token));
    }

    /** Closes the user's implicit periods in force ({@code role} null = all of them) that earlier events started. */
    private void closeUserRole(String userId, String tenantId, String role, Instant at, EventMessage<?> message,
                               TrackingToken token) {
        jdbc.update("""
                UPDATE rm_role_assignment SET valid_to = ?, to_event_id = ?, to_index = ?
                WHERE source = 'user' AND user_id = ? AND tenant_id = ? AND valid_to IS NULL AND from_index < ?
                    AND (?::text IS NULL OR role = ?::text)""",
                PgText.timestamp(at), message.getIdentifier(), index(token), PgText.clean(userId), PgText.clean(tenantId),
                index(token), role, role);
    }

    private static long index(TrackingToken token) {
        return token == null ? 0L : token.position().orElse(0L);
    }
}
