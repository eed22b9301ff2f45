package io.llmproxy.edge.snapshot;

import io.llmproxy.edge.snapshot.EdgeSnapshot.ApiKeyEntry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code rm_api_key} → the keys by SHA-256 hash: the current secret, plus the previous secret of a
 * rotated key while its grace period lasts. A changed key first loses the hashes it had.
 */
final class ApiKeyLoader implements TableLoader {

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private final JsonMapper json;

    ApiKeyLoader(JsonMapper json) {
        this.json = json;
    }

    @Override
    public ChangeSource source() {
        return ChangeSource.ADMIN_READ_MODEL;
    }

    @Override
    public String table() {
        return "rm_api_key";
    }

    @Override
    public void load(JdbcTemplate jdbc, SnapshotDraft draft) {
        jdbc.query("""
                SELECT api_key_id, tenant_id, status, key_hash, owner_user_id, allowed_models::text, expires_at,
                       previous_key_hash, previous_valid_until, change_index
                FROM rm_api_key WHERE change_index > ?""", rs -> {
            apply(rs, draft);
            draft.seen(source(), rs.getLong(10));
        }, draft.since(source()));
    }

    private void apply(ResultSet rs, SnapshotDraft draft) throws SQLException {
        String apiKeyId = rs.getString(1);
        Set<String> old = draft.hashesByKeyId.remove(apiKeyId);
        if (old != null) {
            old.forEach(draft.keys::remove);
        }
        String allowed = rs.getString(6);
        Set<String> allowedModels = allowed == null ? null : Set.copyOf(json.readValue(allowed, STRINGS));
        boolean active = "ACTIVE".equals(rs.getString(3));
        Instant expiresAt = instant(rs.getTimestamp(7));
        Set<String> hashes = new HashSet<>();
        draft.keys.put(rs.getString(4), new ApiKeyEntry(apiKeyId, rs.getString(2), active, rs.getString(5), allowedModels,
                expiresAt, null));
        hashes.add(rs.getString(4));
        if (rs.getString(8) != null && rs.getTimestamp(9) != null) {
            draft.keys.put(rs.getString(8), new ApiKeyEntry(apiKeyId, rs.getString(2), active, rs.getString(5), allowedModels,
                    expiresAt, instant(rs.getTimestamp(9))));
            hashes.add(rs.getString(8));
        }
        draft.hashesByKeyId.put(apiKeyId, hashes);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
