package io.llmproxy.query.apikey;

import io.llmproxy.query.web.Params;
import io.llmproxy.query.web.QueryRejected;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * Point-in-time reads of one API key, computed from the tenant's admin events as the audit log
 * keeps them (event-store order, {@code source = 'admin'}); see {@link KeyTimeline}.
 */
@RestController
class KeyHistoryController {

    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    KeyHistoryController(JdbcTemplate jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * {@code GET /admin/v1/tenants/{tenantId}/api-keys/{apiKeyId}/history} →
     * {@code {"tenantId","apiKeyId","items":[{"seq","eventId","eventType","occurredAt","actor","data"}]}}:
     * every event that changed what applied to the key, from its issuance on.
     *
     * @throws QueryRejected 404 when the tenant never issued this key
     */
    @GetMapping("/admin/v1/tenants/{tenantId}/api-keys/{apiKeyId}/history")
    Map<String, Object> history(@PathVariable String tenantId, @PathVariable String apiKeyId) {
        KeyTimeline timeline = timeline(tenantId, apiKeyId);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tenantId", tenantId);
        result.put("apiKeyId", apiKeyId);
        result.put("items", timeline.history());
        return result;
    }

    /**
     * {@code GET /admin/v1/tenants/{tenantId}/api-keys/{apiKeyId}/as-of?time=<ISO-8601 instant>} →
     * {@link KeyTimeline.AsOf} plus {@code tenantId}: the key's status, tenant status, allowed models
     * and quota policy (each level and the effective, tightest one) in force at {@code time}.
     *
     * @throws QueryRejected 400 when time is missing or does not parse; 404 when the tenant never issued this key
     */
    @GetMapping("/admin/v1/tenants/{tenantId}/api-keys/{apiKeyId}/as-of")
    Map<String, Object> asOf(@PathVariable String tenantId, @PathVariable String apiKeyId, @RequestParam String time) {
        Instant at = Params.instant("time", time, null);
        if (at == null) {
            throw QueryRejected.badParameter("time", "time is required");
        }
        KeyTimeline.AsOf state = timeline(tenantId, apiKeyId).asOf(at);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tenantId", tenantId);
        result.putAll(json.convertValue(state, Map.class));
        return result;
    }

    private KeyTimeline timeline(String tenantId, String apiKeyId) {
        List<KeyTimeline.Change> changes = jdbc.query("""
                        SELECT seq, event_id, event_type, occurred_at, actor, payload::text FROM audit_log
                        WHERE chain_id = ? AND source = 'admin' AND event_type IN ('ApiKeyIssued', 'ApiKeyRotated',
                            'ApiKeyRevoked', 'QuotaPolicySet', 'UserRemoved', 'TenantSuspended', 'TenantReactivated')
                        ORDER BY seq""",
                (rs, i) -> new KeyTimeline.Change(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getString(5), json.readTree(rs.getString(6))),
                tenantId);
        KeyTimeline timeline = new KeyTimeline(tenantId, apiKeyId, changes);
        if (!timeline.exists()) {
            throw QueryRejected.notFound("apiKeyId", "API key " + apiKeyId + " not found in tenant " + tenantId);
        }
        return timeline;
    }
}
