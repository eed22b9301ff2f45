package io.llmproxy.edge.snapshot;

import io.llmproxy.kernel.replay.ReplayFence;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * How far each {@link ChangeSource}'s rows can be trusted to be complete when its processor runs
 * several segments (ADR 0022). Segments commit independently, so a row at change index 105 (one
 * segment) can be visible before a row at 100 (another): a cursor moved to 105 would skip 100. Each
 * segment's owner reports in {@code projection_segment_position} the global index up to which it
 * has handled or skipped every event; the lowest over a processor's segments is its watermark, and
 * the poller never moves a cursor above it (rows above it are read again at the next poll, which is
 * harmless: a row holds its latest state).
 *
 * <p>Read before the rows, in the poll's transaction: every row at or below a watermark read first
 * was committed before it, so the rows read after include it.
 */
final class SegmentWatermarks {

    private SegmentWatermarks() {
    }

    /**
     * What the poll needs of each source's processor, in one statement: once a query-side has created the
     * replay fence's tables ({@code fence}), the watermarks and the replays; before that, the watermarks
     * alone when the tables exist, else nothing.
     *
     * @return the caps (per source, the highest cursor the poller may keep: absent when the processor has
     *         one segment, rows then becoming visible in change-index order, or when no query-side has
     *         created the tables yet; -1, read everything again, while a segment has no reported position)
     *         and the sources whose processor a replay is rebuilding ({@link ReplayFence}): their tables
     *         hold an old state of the world (a revoked key active again, a suspended tenant not suspended,
     *         a content opt-out opted in) until every segment has passed the reset point
     */
    static Sources read(JdbcTemplate jdbc, ReplayFence.Presence fence) {
        boolean replays = fence.present();
        if (!replays && !Boolean.TRUE.equals(jdbc.queryForObject("""
                SELECT to_regclass('tokenentry') IS NOT NULL AND to_regclass('projection_segment_position') IS NOT NULL""",
                Boolean.class))) {
            return new Sources(Map.of(), Set.of(), Map.of());
        }
        Map<ChangeSource, Long> caps = new EnumMap<>(ChangeSource.class);
        Set<ChangeSource> replaying = EnumSet.noneOf(ChangeSource.class);
        Map<ChangeSource, Long> resets = new EnumMap<>(ChangeSource.class);
        // a reset marks the segments replaying and its request DONE in one transaction (ADR 0023)
        jdbc.query("SELECT t.processorname, count(*), count(p.segment), min(p.position), "
                + (replays ? "coalesce(bool_or(p.replaying), false), (SELECT count(*) FROM projection_replay r "
                        + "WHERE r.processor = t.processorname AND r.state = 'DONE')" : "false, 0") + """
                 FROM tokenentry t
                LEFT JOIN projection_segment_position p ON p.processor = t.processorname AND p.segment = t.segment
                WHERE t.processorname = ANY (?) GROUP BY t.processorname""", rs -> {
            ChangeSource source = ChangeSource.of(rs.getString(1));
            long segments = rs.getLong(2);
            long reported = rs.getLong(3);
            if (segments > 1) {
                caps.put(source, reported < segments ? -1L : rs.getLong(4));
            }
            if (rs.getBoolean(5)) {
                replaying.add(source);
            }
            resets.put(source, rs.getLong(6));
        }, (Object) Arrays.stream(ChangeSource.values()).map(ChangeSource::processingGroup).toArray(String[]::new));
        return new Sources(Map.copyOf(caps), Set.copyOf(replaying), Map.copyOf(resets));
    }

    /**
     * @param caps      per source, the highest cursor the poller may keep
     * @param replaying the sources a replay is rebuilding
     * @param resets    per source, how many replays have reset its processor so far (requests {@code DONE} in
     *                  {@code projection_replay}; 0 before a query-side has created the fence): one that grew
     *                  between two polls while neither saw the source replaying means a whole replay ran between them
     */
    record Sources(Map<ChangeSource, Long> caps, Set<ChangeSource> replaying, Map<ChangeSource, Long> resets) {
    }

    /** @return the presence of {@code jdbc}'s replay fence tables, asked until they exist */
    static ReplayFence.Presence fence(JdbcTemplate jdbc) {
        return new ReplayFence.Presence(() -> Boolean.TRUE.equals(jdbc.queryForObject(ReplayFence.PRESENT, Boolean.class)));
    }

    /** @return {@code cursors}, each lowered to its source's cap when above it */
    static Map<ChangeSource, Long> cap(Map<ChangeSource, Long> cursors, Map<ChangeSource, Long> caps) {
        Map<ChangeSource, Long> capped = new EnumMap<>(ChangeSource.class);
        capped.putAll(cursors);
        caps.forEach((source, cap) -> capped.computeIfPresent(source, (s, cursor) -> Math.min(cursor, cap)));
        return Map.copyOf(capped);
    }
}
