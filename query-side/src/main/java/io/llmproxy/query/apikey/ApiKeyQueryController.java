package io.llmproxy.query.apikey;

import io.llmproxy.query.web.QueryRejected;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Admin reads of a tenant's API keys, from the {@code rm_api_key} read model. */
@RestController
class ApiKeyQueryController {

    /**
     * One key as admins see it: never the key, never its hash.
     *
     * @param displayPrefix the first 11 characters of the key (e.g. {@code llmp_Ab3dEf})
     * @param status        {@code ACTIVE} or {@code REVOKED}
     */
    record ApiKeyView(String apiKeyId, String tenantId, String name, String displayPrefix, String status,
                      Instant createdAt, Instant revokedAt) {
    }

    private final JdbcClient jdbc;

    ApiKeyQueryController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** {@code GET /admin/v1/tenants/{tenantId}/api-keys} → {@code {"tenantId","items":[ApiKeyView]}}; 404 unknown tenant. */
    @GetMapping("/admin/v1/tenants/{tenantId}/api-keys")
    Map<String, Object> list(@PathVariable String tenantId) {
        boolean tenantExists = jdbc.sql("SELECT count(*) FROM rm_tenant WHERE tenant_id = ?").param(tenantId)
                .query(Long.class).single() > 0;
        if (!tenantExists) {
            throw QueryRejected.notFound("tenantId", "tenant " + tenantId + " not found");
        }
        List<ApiKeyView> items = jdbc.sql("""
                        SELECT api_key_id, tenant_id, name, display_prefix, status, created_at, revoked_at
                        FROM rm_api_key WHERE tenant_id = ? ORDER BY created_at, api_key_id""")
                .param(tenantId)
                .query((rs, i) -> new ApiKeyView(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getTimestamp(6).toInstant(),
                        rs.getTimestamp(7) == null ? null : rs.getTimestamp(7).toInstant()))
                .list();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tenantId", tenantId);
        result.put("items", items);
        return result;
    }
}
