package io.llmproxy.query.replay;

import io.llmproxy.projection.admin.AdminReadModelProjection;
import io.llmproxy.projection.audit.AuditAdminProjection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * The replay requests and each instance's acknowledgements ({@code projection_replay},
 * {@code projection_replay_ack}, V13). Every state change is one conditional {@code UPDATE}, so
 * instances racing for the same change agree on a single winner.
 */
@Repository
public class ReplayRequests {

    /** A request's state; {@link #REQUESTED} and {@link #RESETTING} are open (at most one per processor). */
    public enum State {
        REQUESTED, RESETTING, DONE, FAILED;

        public boolean open() {
            return this == REQUESTED || this == RESETTING;
        }
    }

    /**
     * One request.
     *
     * @param resetBy        the instance that won the reset, while and after {@link State#RESETTING}
     * @param resetStartedAt when it started the reset
     * @param finishedAt     when the request became {@link State#DONE} or {@link State#FAILED}
     * @param detail         why it failed (or the last reset attempt's error while it is retried)
     */
    public record Replay(UUID id, String processor, String requestedBy, Instant requestedAt, State state, String resetBy,
                         Instant resetStartedAt, Instant finishedAt, String detail) {
    }

    /**
     * An instance's acknowledgement.
     *
     * @param stoppedAt   when it had stopped its processor (and released its segments)
     * @param restartedAt when it started it again after the request finished; null before
     */
    public record Ack(String nodeId, Instant stoppedAt, Instant restartedAt) {
    }

    /**
     * The event processors a replay may reset: the read models whose {@code @ResetHandler}s empty what
     * they rebuild. No other processor is a projection: {@code keycloak-user-provisioning} calls
     * Keycloak for each event, so a reset of it would enable removed users again until their removal
     * is handled once more.
     */
    public static final Set<String> REPLAYABLE = Set.of(AdminReadModelProjection.NAME, AuditAdminProjection.NAME);

    private static final String COLUMNS = "id, processor, requested_by, requested_at, state, reset_by, reset_started_at, "
            + "finished_at, detail";
    private static final String OPEN = "state IN ('REQUESTED', 'RESETTING')";

    private final JdbcTemplate jdbc;

    public ReplayRequests(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Opens a request to replay {@code processor}.
     *
     * @return the new request, or empty when one is already open for that processor
     */
    public Optional<Replay> request(String processor, String node) {
        UUID id = UUID.randomUUID();
        try {
            jdbc.update("INSERT INTO projection_replay (id, processor, requested_by, requested_at, state) "
                    + "VALUES (?, ?, ?, now(), 'REQUESTED')", id, processor, node);
        } catch (DuplicateKeyException e) {
            return Optional.empty();
        }
        return find(id);
    }

    public Optional<Replay> find(UUID id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM projection_replay WHERE id = ?", ROW, id).stream().findFirst();
    }

    /** @return the open request of {@code processor}, if any */
    public Optional<Replay> open(String processor) {
        return jdbc.query("SELECT " + COLUMNS + " FROM projection_replay WHERE processor = ? AND " + OPEN, ROW, processor)
                .stream().findFirst();
    }

    /** @return every open request, oldest first */
    public List<Replay> open() {
        return jdbc.query("SELECT " + COLUMNS + " FROM projection_replay WHERE " + OPEN + " ORDER BY requested_at", ROW);
    }

    /** @return the state of each of {@code ids} that exists */
    public Map<UUID, State> states(Collection<UUID> ids) {
        Map<UUID, State> states = new HashMap<>();
        if (!ids.isEmpty()) {
            jdbc.query("SELECT id, state FROM projection_replay WHERE id = ANY (?)",
                    rs -> {
                        states.put(rs.getObject(1, UUID.class), State.valueOf(rs.getString(2)));
                    }, (Object) ids.toArray(UUID[]::new));
        }
        return states;
    }

    /** @return the acknowledgements of request {@code id}, in the order the instances stopped */
    public List<Ack> acks(UUID id) {
        return jdbc.query("SELECT node_id, stopped_at, restarted_at FROM projection_replay_ack WHERE replay_id = ? "
                + "ORDER BY stopped_at, node_id", (rs, i) -> new Ack(rs.getString(1), instant(rs, 2), instant(rs, 3)), id);
    }

    /** Records that {@code node} has stopped its processor for request {@code id} (again, after a restart of the node). */
    public void stopped(UUID id, String node) {
        jdbc.update("INSERT INTO projection_replay_ack (replay_id, node_id, stopped_at) VALUES (?, ?, now()) "
                + "ON CONFLICT (replay_id, node_id) DO UPDATE SET stopped_at = now(), restarted_at = NULL", id, node);
    }

    /** Records that {@code node} has started its processor again after request {@code id}. */
    public void restarted(UUID id, String node) {
        jdbc.update("UPDATE projection_replay_ack SET restarted_at = now() WHERE replay_id = ? AND node_id = ?", id, node);
    }

    /** @return true when {@code node} won the reset: the request was {@link State#REQUESTED} and is now {@link State#RESETTING} */
    public boolean startReset(UUID id, String node) {
        return jdbc.update("UPDATE projection_replay SET state = 'RESETTING', reset_by = ?, reset_started_at = now() "
                + "WHERE id = ? AND state = 'REQUESTED'", node, id) == 1;
    }

    /**
     * Marks the reset {@code node} started as done; called in the reset's transaction.
     *
     * @return false when the request is no longer {@code node}'s reset (it timed out meanwhile)
     */
    public boolean done(UUID id, String node) {
        return jdbc.update("UPDATE projection_replay SET state = 'DONE', finished_at = now(), detail = NULL "
                + "WHERE id = ? AND state = 'RESETTING' AND reset_by = ?", id, node) == 1;
    }

    /** A failed reset attempt of {@code node}: back to {@link State#REQUESTED}, so an instance tries again. */
    public void retry(UUID id, String node, String detail) {
        jdbc.update("UPDATE projection_replay SET state = 'REQUESTED', reset_by = NULL, reset_started_at = NULL, detail = ? "
                + "WHERE id = ? AND state = 'RESETTING' AND reset_by = ?", detail, id, node);
    }

    /** @return true when request {@code id} was open for longer than {@code bound} and is now {@link State#FAILED} */
    public boolean fail(UUID id, Duration bound, String detail) {
        return jdbc.update("UPDATE projection_replay SET state = 'FAILED', finished_at = now(), detail = ? "
                + "WHERE id = ? AND " + OPEN + " AND requested_at < now() - make_interval(secs => ?)",
                detail, id, bound.toMillis() / 1000.0) == 1;
    }

    /** @return true when request {@code id} was open for longer than {@code bound} (PostgreSQL's clock) */
    public boolean overdue(UUID id, Duration bound) {
        return Boolean.TRUE.equals(jdbc.queryForObject("SELECT requested_at < now() - make_interval(secs => ?) "
                + "FROM projection_replay WHERE id = ?", Boolean.class, bound.toMillis() / 1000.0, id));
    }

    private static final RowMapper<Replay> ROW = (rs, i) -> new Replay(rs.getObject(1, UUID.class), rs.getString(2),
            rs.getString(3), instant(rs, 4), State.valueOf(rs.getString(5)), rs.getString(6), instant(rs, 7), instant(rs, 8),
            rs.getString(9));

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
