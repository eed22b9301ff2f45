package io.llmproxy.edge.snapshot;

import io.llmproxy.kernel.route.RoutePolicy;
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
 * {@code rm_route} → the routes (targets with weight and priority, the policy; issue #11) by owner and public model name ({@link RouteKey}). The route's
 * aggregate id ({@code route_id}) is not read: clients reach routes by public name only.
 */
final class RouteLoader implements TableLoader {

    private static final TypeReference<List<Map<String, Object>>> TARGETS = new TypeReference<>() { };
    private final JsonMapper json;

    RouteLoader(JsonMapper json) {
        this.json = json;
    }

    @Override
    public ChangeSource source() {
        return ChangeSource.ADMIN_READ_MODEL;
    }

    @Override
    public String table() {
        return "rm_route";
    }

    @Override
    public void load(JdbcTemplate jdbc, SnapshotDraft draft) {
        jdbc.query("""
                SELECT tenant_id, model, targets::text, updated_at, change_index, policy::text FROM rm_route
                WHERE change_index > ?""", rs -> {
            List<Target> targets = new ArrayList<>();
            int position = 0;
            for (Map<String, Object> t : json.readValue(rs.getString(3), TARGETS)) {
                int weight = t.get("weight") instanceof Number n ? n.intValue() : 1;
                int priority = t.get("priority") instanceof Number n ? n.intValue() : position;
                targets.add(new Target((String) t.get("providerId"), (String) t.get("model"), weight, priority));
                position++;
            }
            String tenantId = rs.getString(1);
            String model = rs.getString(2);
            String policy = rs.getString(6);
            draft.routes.put(new RouteKey(tenantId, model), new RouteEntry(tenantId, model, List.copyOf(targets),
                    rs.getTimestamp(4).toInstant(),
                    policy == null ? RoutePolicy.DEFAULT : json.readValue(policy, RoutePolicy.class)));
            draft.seen(source(), rs.getLong(5));
        }, draft.since(source()));
    }
}
