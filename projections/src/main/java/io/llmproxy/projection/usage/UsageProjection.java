package io.llmproxy.projection.usage;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.projection.audit.AuditLog;
import io.llmproxy.projection.support.PgText;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies one usage event to the billing read model ({@code usage_record}) and the audit log,
 * in one database transaction, idempotently by {@code eventId}: a redelivered or replayed event
 * changes nothing (ADR 0003).
 */
@Component
public class UsageProjection {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final AuditLog auditLog;

    public UsageProjection(JdbcTemplate jdbc, TransactionTemplate tx, AuditLog auditLog) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.auditLog = auditLog;
    }

    /** @return true when the event was new and counted, false when it had been counted before */
    public boolean apply(UsageRecorded e) {
        Boolean applied = tx.execute(status -> {
            int inserted = jdbc.update("""
                    INSERT INTO usage_record (event_id, tenant_id, api_key_id, endpoint, model, provider_id, provider_model,
                        stream, prompt_tokens, completion_tokens, total_tokens, latency_ms, http_status, outcome, occurred_at,
                        usage_estimated)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING""",
                    PgText.clean(e.eventId()), PgText.clean(e.tenantId()), PgText.clean(e.apiKeyId()),
                    PgText.clean(e.endpoint()), PgText.clean(e.model()), PgText.clean(e.providerId()),
                    PgText.clean(e.providerModel()), e.stream(), e.promptTokens(), e.completionTokens(), e.totalTokens(), e.latencyMs(), e.httpStatus(),
                    e.outcome().name(), Timestamp.from(e.occurredAt()), e.usageEstimated());
            if (inserted == 0) {
                return false;
            }
            auditLog.append(e.eventId(), e.tenantId(), AuditLog.SOURCE_USAGE, "UsageRecorded", e.occurredAt(), auditData(e));
            return true;
        });
        return Boolean.TRUE.equals(applied);
    }

    private static Map<String, Object> auditData(UsageRecorded e) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("apiKeyId", e.apiKeyId());
        data.put("endpoint", e.endpoint());
        data.put("model", e.model());
        data.put("providerId", e.providerId());
        data.put("providerModel", e.providerModel());
        data.put("stream", e.stream());
        data.put("promptTokens", e.promptTokens());
        data.put("completionTokens", e.completionTokens());
        data.put("totalTokens", e.totalTokens());
        data.put("latencyMs", e.latencyMs());
        data.put("httpStatus", e.httpStatus());
        data.put("outcome", e.outcome().name());
        data.put("refusalReason", e.refusalReason());
        data.put("usageEstimated", e.usageEstimated());
        return data;
    }
}
