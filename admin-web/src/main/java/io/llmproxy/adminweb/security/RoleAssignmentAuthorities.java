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

    public RoleAssignmentAuthorities(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.fence = new ReplayFence.Presence(() -> Boolean.TRUE.equals(jdbc.queryForObject(ReplayFence.PRESENT, Boolean.class)));
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
            String sql = "SELECT role, tenant_id, user_id FROM rm_role_assignment WHERE principal = ? AND valid_to IS NULL"
                    + (fence ? " AND " + ReplayFence.NOT_REPLAYING_CONDITION : "");
            Object[] parameters = fence ? new Object[] {principal.toLowerCase(Locale.ROOT), ReplayFence.ADMIN_READ_MODEL}
                    : new Object[] {principal.toLowerCase(Locale.ROOT)};
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
