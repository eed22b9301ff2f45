package io.llmproxy.query.segments;

import java.sql.Timestamp;
import java.time.Duration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Refuses a configured {@code LLMPROXY_NODE_ID} that a live instance already uses. Axon's token store
 * lets an owner claim whatever is claimed under its own name, so two instances with one name would
 * handle the same segments at once, and the replay coordinator, which waits only for the claims of
 * other names, would reset the tokens under the twin's feet (its next stored token undoes the reset of
 * its segments: their rows stay empty). Liveness is the steward's heartbeat in {@code projection_node}
 * (every second; removed on a clean stop).
 */
public final class UniqueNode {

    private UniqueNode() {
    }

    /**
     * Returns at once when no heartbeat under {@code nodeId} is younger than {@value SegmentSteward#LIVE_SECONDS} s;
     * otherwise waits that long (a predecessor killed just before this start) and returns when the
     * heartbeat did not move.
     *
     * @throws IllegalStateException when the heartbeat moved meanwhile: another instance lives under this name
     */
    public static void require(JdbcTemplate jdbc, String nodeId) {
        require(jdbc, nodeId, Duration.ofSeconds(SegmentSteward.LIVE_SECONDS + 1));
    }

    static void require(JdbcTemplate jdbc, String nodeId, Duration wait) {
        Timestamp seen = jdbc.queryForObject("SELECT max(seen_at) FROM projection_node WHERE node_id = ? "
                + "AND seen_at > now() - make_interval(secs => ?)", Timestamp.class, nodeId, SegmentSteward.LIVE_SECONDS);
        if (seen == null) {
            return;
        }
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking that node id " + nodeId + " is not in use", e);
        }
        Timestamp again = jdbc.queryForObject("SELECT max(seen_at) FROM projection_node WHERE node_id = ?", Timestamp.class,
                nodeId);
        if (again != null && again.after(seen)) {
            throw new IllegalStateException("another live query-side instance uses LLMPROXY_NODE_ID " + nodeId
                    + " (its heartbeat in projection_node moved while this one waited): give each instance its own id");
        }
    }
}
