package io.llmproxy.edge.snapshot;

import io.llmproxy.kernel.quota.QuotaLimits;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

/** {@code rm_quota_policy} → the quota limits by {@code SCOPE:subjectId}. */
final class QuotaPolicyLoader implements TableLoader {

    private final JsonMapper json;

    QuotaPolicyLoader(JsonMapper json) {
        this.json = json;
    }

    @Override
    public ChangeSource source() {
        return ChangeSource.ADMIN_READ_MODEL;
    }

    @Override
    public String table() {
        return "rm_quota_policy";
    }

    @Override
    public void load(JdbcTemplate jdbc, SnapshotDraft draft) {
        jdbc.query("SELECT scope, subject_id, limits::text, change_index FROM rm_quota_policy WHERE change_index > ?", rs -> {
            draft.quotas.put(rs.getString(1) + ":" + rs.getString(2), json.readValue(rs.getString(3), QuotaLimits.class));
            draft.seen(source(), rs.getLong(4));
        }, draft.since(source()));
    }
}
