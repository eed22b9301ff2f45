package io.llmproxy.edge.snapshot;

import java.util.Locale;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code rm_user} → the current tenant users by principal (their e-mail, lower-cased), for Keycloak
 * access tokens at the edge (issue #10). A removed user ({@code removed_at} set) is dropped, so its
 * tokens are refused from the next poll on: the same bound as a revoked key (ADR 0002).
 */
final class UserLoader implements TableLoader {

    @Override
    public ChangeSource source() {
        return ChangeSource.ADMIN_READ_MODEL;
    }

    @Override
    public String table() {
        return "rm_user";
    }

    @Override
    public void load(JdbcTemplate jdbc, SnapshotDraft draft) {
        jdbc.query("SELECT user_id, tenant_id, email, removed_at, change_index FROM rm_user WHERE change_index > ?", rs -> {
            String userId = rs.getString(1);
            if (rs.getTimestamp(4) != null) {
                draft.users.remove(userId);
            } else {
                draft.users.put(userId, new EdgeSnapshot.UserEntry(userId, rs.getString(2),
                        rs.getString(3).strip().toLowerCase(Locale.ROOT)));
            }
            draft.seen(source(), rs.getLong(5));
        }, draft.since(source()));
    }
}
