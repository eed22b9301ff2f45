package io.llmproxy.query.tenant;

import io.llmproxy.query.web.QueryRejected;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Admin reads of a tenant and its quota policies, from the read models. Every read is scoped to one tenant.
 * Its users and API keys are paged lists: {@code io.llmproxy.query.lists.TenantListController}.
 */
@RestController
class TenantQueryController {

    /**
     * A tenant.
     *
     * @param status         {@code ACTIVE} or {@code SUSPENDED}
     * @param contentCapture whether the tenant opted in to storing masked prompt and completion text in
     *                       its usage events and audit log ({@code PUT /admin/v1/tenants/{id}/audit-content});
     *                       false until it ever did
     */
    record TenantView(String tenantId, String name, String status, Instant createdAt, boolean contentCapture) {
    }

    /**
     * A quota policy in force.
     *
     * @param scope     {@code TENANT}, {@code USER} or {@code API_KEY}
     * @param subjectId the tenant, user or key id
     * @param limits    the limits as set (null = no limit)
     */
    record QuotaPolicyView(String scope, String subjectId, JsonNode limits, Instant updatedAt) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    TenantQueryController(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** {@code GET /admin/v1/tenants/{tenantId}} → TenantView; 404 unknown. */
    @GetMapping("/admin/v1/tenants/{tenantId}")
    TenantView tenant(@PathVariable String tenantId) {
        return jdbc.sql("""
                        SELECT t.tenant_id, t.name, t.status, t.created_at, coalesce(p.store_prompt_content, false)
                        FROM rm_tenant t LEFT JOIN audit_content_policy p ON p.tenant_id = t.tenant_id
                        WHERE t.tenant_id = ?""").param(tenantId)
                .query((rs, i) -> new TenantView(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                        rs.getBoolean(5)))
                .optional().orElseThrow(() -> QueryRejected.notFound("tenantId", "tenant " + tenantId + " not found"));
    }

    /**
     * {@code GET /admin/v1/tenants/{tenantId}/quota-policies[?asOf=<ISO-8601 instant>]} →
     * {@code {"tenantId","asOf","items":[QuotaPolicyView]}}: the policies in force now, or at
     * {@code asOf} (from the history of every change; {@code updatedAt} is when each took effect).
     *
     * @throws QueryRejected 400 when asOf does not parse, 404 for an unknown tenant
     */
    @GetMapping("/admin/v1/tenants/{tenantId}/quota-policies")
    Map<String, Object> quotas(@PathVariable String tenantId,
                               @org.springframework.web.bind.annotation.RequestParam(required = false) String asOf) {
        tenant(tenantId);
        Instant at = io.llmproxy.query.web.Params.instant("asOf", asOf, null);
        String sql = at == null
                ? "SELECT scope, subject_id, limits::text, updated_at FROM rm_quota_policy WHERE tenant_id = ? ORDER BY scope, subject_id"
                : """
                  SELECT DISTINCT ON (scope, subject_id) scope, subject_id, limits::text, effective_at
                  FROM rm_quota_policy_history WHERE tenant_id = ? AND effective_at <= ?
                  ORDER BY scope, subject_id, effective_at DESC, change_index DESC""";
        var statement = jdbc.sql(sql).param(tenantId);
        if (at != null) {
            statement = statement.param(java.sql.Timestamp.from(at));
        }
        List<QuotaPolicyView> items = statement
                .query((rs, i) -> new QuotaPolicyView(rs.getString(1), rs.getString(2), json.readTree(rs.getString(3)),
                        rs.getTimestamp(4).toInstant()))
                .list();
        Map<String, Object> result = page(tenantId, items);
        result.put("asOf", at);
        return result;
    }

    private static Map<String, Object> page(String tenantId, List<?> items) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tenantId", tenantId);
        result.put("items", items);
        return result;
    }
}
