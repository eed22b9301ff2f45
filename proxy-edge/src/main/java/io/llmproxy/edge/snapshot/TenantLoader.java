package io.llmproxy.edge.snapshot;

import io.llmproxy.edge.snapshot.EdgeSnapshot.TenantEntry;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@code rm_tenant} → whether each tenant is suspended (its content opt-in is kept). */
final class TenantLoader implements TableLoader {

    @Override
    public ChangeSource source() {
        return ChangeSource.ADMIN_READ_MODEL;
    }

    @Override
    public String table() {
        return "rm_tenant";
    }

    @Override
    public void load(JdbcTemplate jdbc, SnapshotDraft draft) {
        jdbc.query("SELECT tenant_id, status, change_index FROM rm_tenant WHERE change_index > ?", rs -> {
            String tenantId = rs.getString(1);
            TenantEntry before = draft.tenants.get(tenantId);
            draft.tenants.put(tenantId, new TenantEntry(tenantId, "SUSPENDED".equals(rs.getString(2)),
                    before != null && before.storePromptContent()));
            draft.seen(source(), rs.getLong(3));
        }, draft.since(source()));
    }
}
