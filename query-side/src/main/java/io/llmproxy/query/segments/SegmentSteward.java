package io.llmproxy.query.segments;

import io.llmproxy.query.config.ProjectionNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Looks after this instance's share of the event processors' segments (ADR 0022), on one thread of
 * its own ({@code segment-steward}):
 * <ul>
 *   <li><b>Positions</b>, every {@code positionMs} (50): for each segment this instance has claimed,
 *       the global index up to which it has handled and committed, or skipped, every event
 *       (Axon's in-memory {@link EventTrackerStatus}) goes into {@code projection_segment_position}
 *       when it moved. Axon stores an idle segment's token only when it next has work, so the token
 *       store alone would hold every "read your writes" wait (and the edge's snapshot cursor) back.
 *       A row is written only while {@code tokenentry} names this node as the segment's owner, so a
 *       late write can never outlive a replay's reset (whose reset handler sets the rows to -1 and
 *       {@code replaying}). With the position goes whether the segment is still replaying (its token a
 *       replay token below the position of the reset: {@link #rebuilding}, {@link io.llmproxy.kernel.replay.ReplayFence}).</li>
 *   <li><b>Fair share</b>, every second: a heartbeat in {@code projection_node} (node, processor,
 *       segments claimed; none while its processor is stopped); among the instances seen in the last
 *       {@value #LIVE_SECONDS} s, an instance holding at least two more segments than the least loaded live one releases its
 *       highest segment ({@link StreamingEventProcessor#releaseSegment}: not reclaimed by it for twice
 *       the claim interval), which the other claims at its next try. Axon itself never rebalances:
 *       the first instance up would keep every segment.</li>
 * </ul>
 * A failure of either step is logged at WARN and retried at the next tick; nothing here blocks the
 * processors.
 */
public class SegmentSteward implements SmartLifecycle {

    /** An instance whose heartbeat is older than this is not counted live (seconds). */
    static final int LIVE_SECONDS = 5;
    private static final Logger log = LoggerFactory.getLogger(SegmentSteward.class);

    private final EventProcessingConfiguration processing;
    private final JdbcTemplate jdbc;
    private final ProjectionNode node;
    private final List<String> processors;
    private final long positionMs;
    private final Map<Segment, Report> reported = new HashMap<>();
    private ScheduledExecutorService timer;
    private volatile boolean running;

    /**
     * @param processors the processing groups to look after, e.g. {@code admin-read-model}, {@code audit-admin}
     * @param positionMs how often positions are reported, in ms
     */
    public SegmentSteward(EventProcessingConfiguration processing, JdbcTemplate jdbc, ProjectionNode node,
                          List<String> processors, long positionMs) {
        this.processing = processing;
        this.jdbc = jdbc;
        this.node = node;
        this.processors = List.copyOf(processors);
        this.positionMs = positionMs;
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "segment-steward");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> safely("report positions", this::reportPositions), positionMs, positionMs,
                TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(() -> safely("balance segments", this::balance), 1000, 1000, TimeUnit.MILLISECONDS);
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
            jdbc.update("DELETE FROM projection_node WHERE node_id = ?", node.id());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("Cannot remove node {} from projection_node: {}", node.id(), e.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before the processors stop (they stop in Axon's own lifecycle, after Spring's phases). */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }

    private void safely(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            log.warn("Segment steward cannot {}: {}", what, e.toString());
        }
    }

    /**
     * Reports every claimed segment's position and replay state that changed since the last report.
     * A segment this instance does not hold (released, or its processor stopped for a replay) is
     * forgotten, so that it is reported again once claimed: a replay's reset rewrites the rows
     * meanwhile (position -1, replaying).
     */
    void reportPositions() {
        for (String name : processors) {
            StreamingEventProcessor processor = processor(name);
            if (processor == null) {
                continue;
            }
            Map<Integer, EventTrackerStatus> held = processor.isRunning() ? processor.processingStatus() : Map.of();
            reported.keySet().removeIf(key -> key.processor().equals(name) && !held.containsKey(key.segment()));
            for (Map.Entry<Integer, EventTrackerStatus> e : held.entrySet()) {
                EventTrackerStatus status = e.getValue();
                if (status.isErrorState()) {
                    continue;
                }
                // no position: nothing in the event store yet (nothing to replay either)
                Report report = new Report(position(status.getTrackingToken()).orElse(-1L),
                        rebuilding(status.isReplaying(), status.getCurrentPosition(), status.getResetPosition()));
                Segment key = new Segment(name, e.getKey());
                if (report.equals(reported.get(key))) {
                    continue;
                }
                int written = jdbc.update("""
                        INSERT INTO projection_segment_position (processor, segment, position, owner, updated_at, replaying)
                        SELECT ?, ?, ?, ?, now(), ? WHERE EXISTS (
                            SELECT 1 FROM tokenentry WHERE processorname = ? AND segment = ? AND owner = ?)
                        ON CONFLICT (processor, segment) DO UPDATE SET position = excluded.position,
                            owner = excluded.owner, updated_at = excluded.updated_at, replaying = excluded.replaying""",
                        name, e.getKey(), report.position(), node.id(), report.replaying(), name, e.getKey(), node.id());
                if (written == 1) {
                    reported.put(key, report);
                }
            }
        }
    }

    /** A segment of a processor. */
    private record Segment(String processor, int segment) {
    }

    /** What was last written for a segment: its position (-1: none yet) and whether it was replaying. */
    private record Report(long position, boolean replaying) {
    }

    /** Heartbeat, then release one segment when this instance holds two or more than the least loaded live one. */
    void balance() {
        for (String name : processors) {
            StreamingEventProcessor processor = processor(name);
            if (processor == null) {
                continue;
            }
            if (!processor.isRunning()) { // stopped (a replay, shutdown): holds nothing, takes nothing
                jdbc.update("DELETE FROM projection_node WHERE node_id = ? AND processor = ?", node.id(), name);
                continue;
            }
            Map<Integer, EventTrackerStatus> claimed = processor.processingStatus();
            jdbc.update("""
                    INSERT INTO projection_node (node_id, processor, seen_at, claimed) VALUES (?, ?, now(), ?)
                    ON CONFLICT (node_id, processor) DO UPDATE SET seen_at = excluded.seen_at, claimed = excluded.claimed""",
                    node.id(), name, claimed.size());
            if (claimed.size() < 2) {
                continue;
            }
            Share share = jdbc.queryForObject("""
                    SELECT (SELECT count(*) FROM tokenentry WHERE processorname = ?),
                           count(*), coalesce(min(claimed), 0)
                    FROM projection_node WHERE processor = ? AND seen_at > now() - make_interval(secs => ?)""",
                    (rs, i) -> new Share(rs.getInt(1), rs.getInt(2), rs.getInt(3)), name, name, LIVE_SECONDS);
            if (share != null && share.shouldRelease(claimed.size())) {
                int segment = claimed.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow();
                log.info("Releasing segment {} of {}: this node holds {} of {} segments, {} instances live",
                        segment, name, claimed.size(), share.segments(), share.live());
                processor.releaseSegment(segment);
            }
        }
    }

    private StreamingEventProcessor processor(String name) {
        return processing.eventProcessor(name, StreamingEventProcessor.class).orElse(null);
    }

    /**
     * @param replaying whether the segment's token is a replay's ({@link EventTrackerStatus#isReplaying})
     * @param current   the global index it has handled up to ({@link EventTrackerStatus#getCurrentPosition})
     * @param reset     the index the tokens were reset at ({@link EventTrackerStatus#getResetPosition})
     * @return true while the replay has not reached the position of the reset: the segment's rows are older
     *         than they were before it. Axon itself counts a segment as replaying until the first event
     *         after that position, which on a quiet system may come long after the rows are complete again.
     */
    static boolean rebuilding(boolean replaying, OptionalLong current, OptionalLong reset) {
        return replaying && reset.isPresent() && current.orElse(-1L) < reset.getAsLong();
    }

    static OptionalLong position(TrackingToken token) {
        return token == null ? OptionalLong.empty() : token.position();
    }

    /**
     * What the live instances hold of one processor's segments.
     *
     * @param segments    segments in the token store
     * @param live        instances with a fresh heartbeat (this one included)
     * @param leastHolder the fewest segments a live instance holds
     */
    record Share(int segments, int live, int leastHolder) {

        /**
         * @return true when an instance holding {@code mine} segments should give one up: it holds at
         *         least two more than the least loaded live instance (so the shares end within one of
         *         each other: 4 segments on 3 instances end as 2, 1, 1)
         */
        boolean shouldRelease(int mine) {
            return live >= 2 && segments >= 2 && mine - leastHolder >= 2;
        }
    }
}
