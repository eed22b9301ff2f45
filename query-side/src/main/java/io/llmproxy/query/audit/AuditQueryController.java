package io.llmproxy.query.audit;

import io.llmproxy.query.web.QueryRejected;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Compliance reads of the audit log: admin and usage events of one tenant, in order. */
@RestController
class AuditQueryController {

    /**
     * One audit row.
     *
     * @param source {@code admin} (event store) or {@code usage} (Kafka)
     * @param data   the event's fields, without key material
     */
    record AuditEntry(long sequence, String eventId, String source, String eventType, Instant occurredAt,
                      JsonNode data) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    AuditQueryController(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * {@code GET /audit/v1/events?tenantId=&limit=&offset=} → {@code {"tenantId","limit","offset","items":[AuditEntry]}},
     * ordered by event time, then arrival. {@code limit} 1..1000 (default 100), {@code offset} ≥ 0.
     */
    @GetMapping("/audit/v1/events")
    Map<String, Object> events(@RequestParam String tenantId, @RequestParam(defaultValue = "100") int limit,
                               @RequestParam(defaultValue = "0") int offset) {
        if (limit < 1 || limit > 1000) {
            throw QueryRejected.badParameter("limit", "limit must be 1..1000");
        }
        if (offset < 0) {
            throw QueryRejected.badParameter("offset", "offset must be ≥ 0");
        }
        List<AuditEntry> items = jdbc.sql("""
                        SELECT id, event_id, source, event_type, occurred_at, payload::text FROM audit_log
                        WHERE tenant_id = ? ORDER BY occurred_at, id LIMIT ? OFFSET ?""")
                .params(tenantId, limit, offset)
                .query((rs, i) -> new AuditEntry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant(), json.readTree(rs.getString(6))))
                .list();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tenantId", tenantId);
        result.put("limit", limit);
        result.put("offset", offset);
        result.put("items", items);
        return result;
    }
}
