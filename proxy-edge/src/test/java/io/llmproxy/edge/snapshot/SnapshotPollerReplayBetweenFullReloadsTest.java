package io.llmproxy.edge.snapshot;

import java.time.Duration;

/**
 * {@link SnapshotPollerReplayTest}'s cases with no full reload falling due after the first load: each poll
 * first asks, outside a transaction, whether anything changed (the replays that hold a source, the tables
 * with rows above their cursor), so a replay's start and end must be noticed there, not only by a due full
 * reload's transaction.
 */
class SnapshotPollerReplayBetweenFullReloadsTest extends SnapshotPollerReplayTest {

    @Override
    SnapshotPoller poller() {
        return poller(Duration.ofHours(1));
    }

    @Override
    boolean everyPollReloads() {
        return false;
    }
}
