package io.llmproxy.adminweb.security;

import io.llmproxy.kernel.replay.ReplayFence;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The authorities of a Keycloak principal, read from the role assignments in force now (read model
 * {@code rm_role_assignment}, ADR 0013; both admin apps share the database). One indexed query
 * per authenticated request, no cache, so a removed assignment stops counting at the next request
 * once the projection has written it (about 0.5 s).
 *
 * <p>Authorities: {@code ROLE_PlatformAdmin} for a platform-scope PlatformAdmin assignment;
 * {@code TENANT:<tenantId>:<Role>} for a tenant-scope one; and {@code TENANT_USER:<tenantId>:<userId>}
 * when the principal is a user of that tenant (an assignment of source {@code user}), which the
 * {@code -own} permissions compare with the user or key a call acts on ({@link TenantAuthorization}). Reading a read-model table by SQL is a
 * data dependency, not a code dependency on {@code projections} (ADR 0011 addendum).
 *
 * <p>A tenant user whose Keycloak user is not its tenant's ({@code identity_provisioning.state = conflict}:
 * another tenant's or an operator's account, ADR 0016) gives the principal nothing: whoever controls that
 * account (another tenant's admin can set its password) must not act with the roles of the tenant that
 * added the e-mail. Assignments of source {@code command} (given to a principal by name) are not affected.
 */
public class RoleAssignmentAuthorities {

    private static final Logger log = LoggerFactory.getLogger(RoleAssignmentAuthorities.class);

    /** Prefix of a tenant-scope role authority: {@code TENANT:<tenantId>:<Role>}. */
    public static final String TENANT = "TENANT:";
    /** Prefix of the authority naming the caller's user id in a tenant: {@code TENANT_USER:<tenantId>:<userId>}. */
    public static final String TENANT_USER = "TENANT_USER:";

    private final JdbcTemplate jdbc;
    /** the replay fence's tables (query-side's migrations; not in every test database) */
    private final ReplayFence.Presence fence;
    /** the Keycloak provisioning's table (projections V10; not in every test database) */
    private final ReplayFence.Presence provisioning;

    /**
     * SQL condition on {@code rm_role_assignment a}: a tenant-user assignment whose user's Keycloak user is
     * another's (ADR 0016) counts for nothing. Needs {@code identity_provisioning} (projections V10).
     */
    public static final String NOT_CLAIMED_ELSEWHERE = " AND NOT (a.source = 'user' AND EXISTS (SELECT 1 FROM identity_provisioning p"
            + " WHERE p.tenant_id = a.tenant_id AND p.user_id = a.user_id AND p.state = 'conflict'))";

    public RoleAssignmentAuthorities(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.fence = new ReplayFence.Presence(() -> Boolean.TRUE.equals(jdbc.queryForObject(ReplayFence.PRESENT, Boolean.class)));
        this.provisioning = new ReplayFence.Presence(() -> Boolean.TRUE.equals(
                jdbc.queryForObject("SELECT to_regclass('identity_provisioning') IS NOT NULL", Boolean.class)));
    }

    /**
     * @param principal the token's {@code preferred_username} (compared lower-cased)
     * @return the authorities of its current assignments; none when it has none, when the read
     *         model cannot be read (logged; the request is then refused, never let through), or while a
     *         replay rebuilds {@code admin-read-model} ({@link ReplayFence}): the half-rebuilt table
     *         holds assignments that were removed later in the event store, until their removal is replayed
     */
    public List<GrantedAuthority> of(String principal) {
        if (principal == null || principal.isBlank()) {
            return List.of();
        }
        try {
            List<GrantedAuthority> out = new ArrayList<>();
            boolean fence = this.fence.present();
            String sql = "SELECT a.role, a.tenant_id, a.user_id FROM rm_role_assignment a WHERE a.principal = ? AND a.valid_to IS NULL"
                    + (fence ? " AND " + ReplayFence.NOT_REPLAYING_CONDITION : "")
                    + (provisioning.present() ? NOT_CLAIMED_ELSEWHERE : "");
            Object[] parameters = fence ? new Object[] {principal.strip().toLowerCase(Locale.ROOT), ReplayFence.ADMIN_READ_MODEL}
                    : new Object[] {principal.strip().toLowerCase(Locale.ROOT)};
            jdbc.query(sql,
                    rs -> {
                        String role = rs.getString(1);
                        String tenant = rs.getString(2);
                        String userId = rs.getString(3);
                        out.add(new SimpleGrantedAuthority(tenant == null ? "ROLE_" + role : TENANT + tenant + ":" + role));
                        if (tenant != null && userId != null) {
                            out.add(new SimpleGrantedAuthority(TENANT_USER + tenant + ":" + userId));
                        }
                    }, parameters);
            return out.stream().distinct().toList();
        } catch (DataAccessException e) {
            log.warn("Role assignments cannot be read ({}); the token's principal gets no authority", e.getMessage());
            return List.of();
        }
    }
}
