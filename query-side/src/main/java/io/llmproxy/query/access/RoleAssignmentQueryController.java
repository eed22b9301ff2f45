package io.llmproxy.query.access;

import io.llmproxy.kernel.access.Permission;
import io.llmproxy.kernel.access.Role;
import io.llmproxy.kernel.access.Scope;
import io.llmproxy.query.web.Params;
import io.llmproxy.query.web.QueryRejected;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reads of role assignments at scopes, now or at any past instant, from {@code rm_role_assignment}
 * (ADR 0013): the assignments themselves, and "who could do X in tenant T at time t".
 */
@RestController
class RoleAssignmentQueryController {

    /**
     * One assignment (one period in which a principal held a role at a scope).
     *
     * @param assignmentId the id to remove it by ({@code source = command}); {@code user:<userId>/<Role>} for a tenant user's
     * @param scope        {@code platform} or {@code tenant:<tenantId>}
     * @param tenantId     the tenant of the scope, null at platform scope
     * @param source       {@code command} (assigned explicitly) or {@code user} (implied by a tenant user's role)
     * @param userId       the tenant user it derives from ({@code source = user}), else null
     * @param validFrom    when it came into force
     * @param validTo      when it ended; null while in force
     */
    record AssignmentView(String assignmentId, String principal, String role, String scope, String tenantId, String source,
                          String userId, Instant validFrom, Instant validTo) {
    }

    /** A principal and the assignments through which it holds what was asked. */
    record PrincipalView(String principal, List<AssignmentView> via) {
    }

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private static final String COLUMNS =
            "assignment_id, principal, role, tenant_id, source, user_id, valid_from, valid_to";
    private static final String IN_FORCE_AT = "valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)";

    private final JdbcClient jdbc;

    RoleAssignmentQueryController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * {@code GET /admin/v1/role-assignments?principal=&tenantId=&role=&asOf=&limit=&offset=} →
     * {@code {"asOf","limit","offset","items":[AssignmentView],"nextOffset"}}: the assignments in force
     * now (asOf absent: {@code asOf} is null in the answer) or at {@code asOf}, of every scope or of one
     * tenant, ordered by principal, scope (platform first), role, source. {@code nextOffset} is null on
     * the last page.
     *
     * @throws QueryRejected 400 naming the parameter: limit outside 1..1000, offset &lt; 0, an unknown
     *                       role, asOf not an ISO-8601 instant
     */
    @GetMapping("/admin/v1/role-assignments")
    Map<String, Object> assignments(@RequestParam(required = false) String principal,
                                    @RequestParam(required = false) String tenantId,
                                    @RequestParam(required = false) String role,
                                    @RequestParam(required = false) String asOf,
                                    @RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit,
                                    @RequestParam(defaultValue = "0") int offset) {
        page(limit, offset);
        Instant at = Params.instant("asOf", asOf, null);
        Role wanted = role == null ? null : role(role);
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM rm_role_assignment WHERE ");
        List<Object> params = new ArrayList<>();
        if (at == null) {
            sql.append("valid_to IS NULL");
        } else {
            sql.append(IN_FORCE_AT);
            params.add(Timestamp.from(at));
            params.add(Timestamp.from(at));
        }
        if (principal != null) {
            sql.append(" AND principal = ?");
            params.add(principal.toLowerCase(Locale.ROOT));
        }
        if (tenantId != null) {
            sql.append(" AND tenant_id = ?");
            params.add(tenantId);
        }
        if (wanted != null) {
            sql.append(" AND role = ?");
            params.add(wanted.name());
        }
        sql.append(" ORDER BY principal, tenant_id NULLS FIRST, role, source, valid_from, from_event_id LIMIT ? OFFSET ?");
        params.add(limit + 1);
        params.add(offset);
        List<AssignmentView> items = jdbc.sql(sql.toString()).params(params).query(RoleAssignmentQueryController::view).list();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("asOf", at);
        result.put("limit", limit);
        result.put("offset", offset);
        result.put("items", items.size() > limit ? items.subList(0, limit) : items);
        result.put("nextOffset", items.size() > limit ? offset + limit : null);
        return result;
    }

    /**
     * {@code GET /admin/v1/tenants/{tenantId}/principals?role=<Role>|permission=<name>&asOf=&limit=&offset=} →
     * {@code {"tenantId","asOf","role"|"permission","roles":[…],"limit","offset","items":[PrincipalView],"nextOffset"}}:
     * who held {@code role} in the tenant, or who held {@code permission} (through any role {@link Permission}
     * gives it to), at {@code asOf} (default: now). A {@code PlatformAdmin} assigned at platform scope holds
     * every permission in every tenant and is listed with that assignment. Principals in name order, paged.
     *
     * @throws QueryRejected 400 naming the parameter: neither or both of role and permission, an unknown
     *                       role or permission, asOf not an ISO-8601 instant, limit/offset out of range;
     *                       404 for an unknown tenant
     */
    @GetMapping("/admin/v1/tenants/{tenantId}/principals")
    Map<String, Object> principals(@PathVariable String tenantId, @RequestParam(required = false) String role,
                                   @RequestParam(required = false) String permission,
                                   @RequestParam(required = false) String asOf,
                                   @RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit,
                                   @RequestParam(defaultValue = "0") int offset) {
        page(limit, offset);
        if ((role == null) == (permission == null)) {
            throw QueryRejected.badParameter(role == null ? "role" : "permission", "give exactly one of role and permission");
        }
        Instant at = Params.instant("asOf", asOf, Instant.now());
        List<Role> roles = role != null ? List.of(role(role)) : List.copyOf(permission(permission).roles());
        boolean exists = jdbc.sql("SELECT count(*) FROM rm_tenant WHERE tenant_id = ?").param(tenantId).query(Long.class).single() > 0;
        if (!exists) {
            throw QueryRejected.notFound("tenantId", "tenant " + tenantId + " not found");
        }
        String[] tenantRoles = roles.stream().filter(r -> !r.platformScoped()).map(Role::name).toArray(String[]::new);
        boolean platform = roles.contains(Role.PlatformAdmin);
        Timestamp t = Timestamp.from(at);
        List<AssignmentView> rows = jdbc.sql("""
                        WITH held AS (
                            SELECT %s FROM rm_role_assignment WHERE %s
                                AND ((tenant_id = ? AND role = ANY (?)) OR (? AND tenant_id IS NULL AND role = 'PlatformAdmin'))),
                        page AS (SELECT DISTINCT principal FROM held ORDER BY principal LIMIT ? OFFSET ?)
                        SELECT held.* FROM held JOIN page USING (principal)
                        ORDER BY principal, tenant_id NULLS FIRST, role, source, valid_from, assignment_id""".formatted(COLUMNS, IN_FORCE_AT))
                .params(t, t, tenantId, tenantRoles, platform, limit + 1, offset)
                .query(RoleAssignmentQueryController::view).list();
        Map<String, List<AssignmentView>> byPrincipal = rows.stream()
                .collect(Collectors.groupingBy(AssignmentView::principal, LinkedHashMap::new, Collectors.toList()));
        List<PrincipalView> items = byPrincipal.entrySet().stream().map(e -> new PrincipalView(e.getKey(), e.getValue())).toList();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tenantId", tenantId);
        result.put("asOf", at);
        if (role != null) {
            result.put("role", roles.get(0).name());
        } else {
            result.put("permission", permission);
        }
        result.put("roles", roles.stream().map(Role::name).toList());
        result.put("limit", limit);
        result.put("offset", offset);
        result.put("items", items.size() > limit ? items.subList(0, limit) : items);
        result.put("nextOffset", items.size() > limit ? offset + limit : null);
        return result;
    }

    private static AssignmentView view(ResultSet rs, int i) throws SQLException {
        String tenantId = rs.getString(4);
        Timestamp to = rs.getTimestamp(8);
        return new AssignmentView(rs.getString(1), rs.getString(2), rs.getString(3), Scope.of(tenantId).label(), tenantId,
                rs.getString(5), rs.getString(6), rs.getTimestamp(7).toInstant(), to == null ? null : to.toInstant());
    }

    private static void page(int limit, int offset) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw QueryRejected.badParameter("limit", "limit must be 1.." + MAX_LIMIT);
        }
        if (offset < 0) {
            throw QueryRejected.badParameter("offset", "offset must be ≥ 0");
        }
    }

    private static Role role(String name) {
        return Arrays.stream(Role.values()).filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> QueryRejected.badParameter("role", "role must be one of "
                        + Arrays.stream(Role.values()).map(Role::name).collect(Collectors.joining(", "))));
    }

    private static Permission permission(String name) {
        return Permission.fromWireName(name).orElseThrow(() -> QueryRejected.badParameter("permission", "permission must be one of "
                + Arrays.stream(Permission.values()).map(Permission::wireName).collect(Collectors.joining(", "))));
    }
}
