package io.llmproxy.edge.snapshot;

import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteKey;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code rm_route} → the routes by owner and public model name ({@link RouteKey}). The route's
 * aggregate id ({@code route_id}) is not read: clients reach routes by public name only.
 */
final class RouteLoader implements TableLoader {

    private static final TypeReference<List<Map<String, String>>> TARGETS = new TypeReference<>() { };
    private final JsonMapper json;

    RouteLoader(JsonMapper json) {
        this.json = json;
    }

    @Override
    public ChangeSource source() {
        return ChangeSource.ADMIN_READ_MODEL;
    }

    @Override
    public void load(JdbcTemplate jdbc, SnapshotDraft draft) {
        jdbc.query("SELECT tenant_id, model, targets::text, updated_at, change_index FROM rm_route WHERE change_index > ?", rs -> {
            List<Target> targets = new ArrayList<>();
            for (Map<String, String> t : json.readValue(rs.getString(3), TARGETS)) {
                targets.add(new Target(t.get("providerId"), t.get("model")));
            }
            String tenantId = rs.getString(1);
            String model = rs.getString(2);
            draft.routes.put(new RouteKey(tenantId, model), new RouteEntry(tenantId, model, List.copyOf(targets),
                    rs.getTimestamp(4).toInstant()));
            draft.seen(source(), rs.getLong(5));
        }, draft.since(source()));
    }
}
