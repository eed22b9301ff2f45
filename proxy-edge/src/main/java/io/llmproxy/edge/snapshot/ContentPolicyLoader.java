package io.llmproxy.edge.snapshot;

import io.llmproxy.edge.snapshot.EdgeSnapshot.TenantEntry;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code audit_content_policy} (written by the {@code audit-admin} processor) → whether each
 * tenant opted in to storing masked prompt text. Runs after {@link TenantLoader}, so that a full
 * load merges the opt-in into the tenants just read.
 */
final class ContentPolicyLoader implements TableLoader {

    @Override
    public ChangeSource source() {
        return ChangeSource.AUDIT_ADMIN;
    }

    @Override
    public String table() {
        return "audit_content_policy";
    }

    @Override
    public void load(JdbcTemplate jdbc, SnapshotDraft draft) {
        jdbc.query("SELECT tenant_id, store_prompt_content, change_index FROM audit_content_policy WHERE change_index > ?", rs -> {
            String tenantId = rs.getString(1);
            TenantEntry before = draft.tenants.get(tenantId);
            draft.tenants.put(tenantId, new TenantEntry(tenantId, before != null && before.suspended(), rs.getBoolean(2)));
            draft.seen(source(), rs.getLong(3));
        }, draft.since(source()));
    }
}
