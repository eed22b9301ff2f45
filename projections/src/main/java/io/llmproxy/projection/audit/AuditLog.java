package io.llmproxy.projection.audit;

import io.llmproxy.projection.support.PgText;
import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Appends rows to {@code audit_log}, idempotently by event id. */
@Component
public class AuditLog {

    /** Rows that come from the event store. */
    public static final String SOURCE_ADMIN = "admin";
    /** Rows that come from usage events on Kafka. */
    public static final String SOURCE_USAGE = "usage";

    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    public AuditLog(JdbcTemplate jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** @return true when the row was new, false when this event id was already in the log */
    public boolean append(String eventId, String tenantId, String source, String eventType, Instant occurredAt,
                          Object data) {
        return jdbc.update("""
                INSERT INTO audit_log (event_id, tenant_id, source, event_type, occurred_at, payload)
                VALUES (?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (event_id) DO NOTHING""",
                eventId, PgText.clean(tenantId), source, eventType, Timestamp.from(occurredAt),
                PgText.cleanJson(json.writeValueAsString(data))) == 1;
    }

    void deleteSource(String source) {
        jdbc.update("DELETE FROM audit_log WHERE source = ?", source);
    }
}
