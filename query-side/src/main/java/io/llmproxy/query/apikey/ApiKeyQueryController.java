package io.llmproxy.query.apikey;

import io.llmproxy.query.web.QueryRejected;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
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
                      Instant createdAt, Instant revokedAt, String ownerUserId, List<String> allowedModels,
                      Instant expiresAt, Instant rotatedAt, Instant previousKeyValidUntil) {
    }

    private static final tools.jackson.core.type.TypeReference<List<String>> STRINGS = new tools.jackson.core.type.TypeReference<>() { };

    private final JdbcClient jdbc;
    private final tools.jackson.databind.json.JsonMapper json;

    ApiKeyQueryController(JdbcClient jdbc, tools.jackson.databind.json.JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    private static Instant instant(java.sql.Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /**
     * {@code GET /admin/v1/tenants/{tenantId}/api-keys[?ownerUserId=]} → {@code {"tenantId","items":[ApiKeyView]}},
     * only the keys of that owner when {@code ownerUserId} is given (how a {@code Developer} lists its
     * own keys); 404 unknown tenant.
     */
    @GetMapping("/admin/v1/tenants/{tenantId}/api-keys")
    Map<String, Object> list(@PathVariable String tenantId, @RequestParam(required = false) String ownerUserId) {
        boolean tenantExists = jdbc.sql("SELECT count(*) FROM rm_tenant WHERE tenant_id = ?").param(tenantId)
                .query(Long.class).single() > 0;
        if (!tenantExists) {
            throw QueryRejected.notFound("tenantId", "tenant " + tenantId + " not found");
        }
        List<ApiKeyView> items = jdbc.sql("""
                        SELECT api_key_id, tenant_id, name, display_prefix, status, created_at, revoked_at, owner_user_id,
                               allowed_models::text, expires_at, rotated_at, previous_valid_until
                        FROM rm_api_key WHERE tenant_id = ? AND (CAST(? AS text) IS NULL OR owner_user_id = ?)
                        ORDER BY created_at, api_key_id""")
                .param(tenantId).param(ownerUserId).param(ownerUserId)
                .query((rs, i) -> new ApiKeyView(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getTimestamp(6).toInstant(), instant(rs.getTimestamp(7)), rs.getString(8),
                        rs.getString(9) == null ? null : json.readValue(rs.getString(9), STRINGS),
                        instant(rs.getTimestamp(10)), instant(rs.getTimestamp(11)), instant(rs.getTimestamp(12))))
                .list();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tenantId", tenantId);
        result.put("items", items);
        return result;
    }
}
