package io.llmproxy.query.access;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * "Who am I": the caller's principal and the role assignments in force now, so that the admin
 * console shows each person what their roles allow (issue #13). Any caller holding a role
 * assignment may ask; one with none gets 403 like everywhere else.
 */
@RestController
class MeController {

    /**
     * One role the caller holds now.
     *
     * @param role       {@code PlatformAdmin}, {@code TenantAdmin}, {@code Developer}, {@code FinanceReader} or {@code Auditor}
     * @param scope      {@code platform} or {@code tenant:<tenantId>}
     * @param tenantId   the tenant of the scope, null at platform scope
     * @param tenantName the tenant's name from the read model, null at platform scope or when unknown
     * @param userId     the caller's user id in that tenant (a tenant user's implied role), else null
     */
    record RoleView(String role, String scope, String tenantId, String tenantName, String userId) {
    }

    private final JdbcClient jdbc;

    MeController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * {@code GET /admin/v1/me} → {@code {"principal","platformAdmin","roles":[RoleView]}}, ordered platform
     * first, then by tenant name and role. The bootstrap token is {@code platformAdmin: true} with no
     * assignment rows (it is no person).
     */
    @GetMapping("/admin/v1/me")
    Map<String, Object> me(Authentication caller) {
        String principal = caller.getName();
        boolean platformAdmin = caller.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                .anyMatch("ROLE_PlatformAdmin"::equals);
        List<RoleView> roles = new ArrayList<>(jdbc.sql("""
                        SELECT DISTINCT a.role, a.tenant_id, t.name, a.user_id
                        FROM rm_role_assignment a LEFT JOIN rm_tenant t ON t.tenant_id = a.tenant_id
                        WHERE a.principal = ? AND a.valid_to IS NULL"""
                        // the roles the principal has: not a tenant user's whose Keycloak user is another's
                        + io.llmproxy.adminweb.security.RoleAssignmentAuthorities.NOT_CLAIMED_ELSEWHERE
                        + " ORDER BY a.tenant_id NULLS FIRST, t.name, a.role")
                .param(principal == null ? "" : principal.strip().toLowerCase(Locale.ROOT))
                .query((rs, i) -> new RoleView(rs.getString(1), rs.getString(2) == null ? "platform" : "tenant:" + rs.getString(2),
                        rs.getString(2), rs.getString(3), rs.getString(4)))
                .list());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("principal", principal);
        result.put("platformAdmin", platformAdmin);
        result.put("roles", roles);
        return result;
    }
}
