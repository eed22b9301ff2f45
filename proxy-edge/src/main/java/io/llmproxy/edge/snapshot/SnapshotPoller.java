package io.llmproxy.edge.snapshot;

import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.kernel.secret.SecretCipher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The edge's change stream (ADR 0002): on its own thread, never on a Netty event loop, polls the
 * read model, one {@link TableLoader} per table in one REPEATABLE READ transaction (between full loads, only
 * the tables one first statement found changed; no transaction at all when two statements find that nothing
 * changed: {@link #unchanged()}), for rows whose
 * {@code change_index} (the Axon global index of the event that last changed them) is above the
 * cursor of the processor that writes the table ({@link ChangeSource}: one cursor per source, so
 * that a processor running ahead cannot make the poller skip the other's rows), and swaps in a new
 * immutable snapshot. Every {@code snapshotFullReload} it reloads everything. Until the first load
 * the edge refuses traffic ({@link SnapshotReadiness}); when PostgreSQL is unreachable it logs once,
 * keeps serving the last snapshot, and keeps trying every {@code snapshotPollInterval}. While a replay
 * rebuilds a source's processor ({@link io.llmproxy.kernel.replay.ReplayFence}) that source's tables are
 * not read: the snapshot keeps their last state (no first load meanwhile), and the poll after the
 * replay has passed its reset point is a full reload, or, while another source's replay still runs,
 * reads the thawed source's tables whole ({@link SnapshotDraft#changesSince(EdgeSnapshot, Map, Map, Set)}).
 */
@Component
public class SnapshotPoller implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SnapshotPoller.class);

    private final JdbcTemplate jdbc;
    /** {@link #jdbc}'s data source outside a transaction, each statement at most 5 s: {@link #unchanged()} */
    private final JdbcTemplate checks;
    private final TransactionTemplate readTx;
    private final SnapshotStore store;
    private final EdgeProperties properties;
    private final SnapshotReadiness readiness;
    /** One loader per table, in this order (tenants before the content policy that merges into them). */
    private final List<TableLoader> loaders;
    /** Poller-thread only: the hashes each key id has in the snapshot, to drop stale ones on change. */
    private Map<String, Set<String>> hashesByKeyId = Map.of();
    /** Poller-thread only: per source, the highest change index read (ADR 0002). */
    private Map<ChangeSource, Long> cursors = Map.of();
    private ScheduledExecutorService executor;
    private volatile boolean running;
    private volatile boolean failing;
    private long lastFullReload;
    /** Poller-thread only: the sources held at their last state while a replay rebuilds them (ReplayFence). */
    private Set<ChangeSource> frozen = Set.of();
    /** Poller-thread only: per source, the replays that had reset it at the last poll (null before the first). */
    private Map<ChangeSource, Long> resets;
    /** The replay fence's tables in the read model, asked each poll until a query-side has created them. */
    private final io.llmproxy.kernel.replay.ReplayFence.Presence fence;

    public SnapshotPoller(JdbcTemplate jdbc, PlatformTransactionManager txManager, SnapshotStore store,
                          EdgeProperties properties, JsonMapper json, SnapshotReadiness readiness) {
        this.jdbc = jdbc;
        this.checks = new JdbcTemplate(java.util.Objects.requireNonNull(jdbc.getDataSource()));
        this.checks.setQueryTimeout(5);
        this.fence = SegmentWatermarks.fence(jdbc);
        this.readTx = new TransactionTemplate(txManager);
        // REPEATABLE READ and READ ONLY are set by the transaction's first statement (pollInTransaction): Spring's
        // isolation setting costs the driver's SHOW and session SET before each poll and a SET back after it
        this.readTx.setTimeout(5);
        this.store = store;
        this.properties = properties;
        this.readiness = readiness;
        this.loaders = List.of(new ApiKeyLoader(json), new TenantLoader(), new ContentPolicyLoader(), new QuotaPolicyLoader(json),
                new RouteLoader(json), new ProviderLoader(new SecretCipher(properties.secretKey())), new PriceLoader(),
                new UserLoader());
    }

    @Override
    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edge-snapshot-poller");
            t.setDaemon(true);
            return t;
        });
        running = true;
        executor.scheduleWithFixedDelay(this::pollSafely, 0, properties.snapshotPollInterval().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        running = false;
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void pollSafely() {
        try {
            poll();
            if (failing) {
                log.info("Read model reachable again; snapshot at change index {}", store.current().changeIndex());
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing && !store.loaded()) {
                log.warn("Cannot load the snapshot from the read model; not ready (calls get 503) and retrying every {}: {}",
                        properties.snapshotPollInterval(), e.getMessage());
            } else if (!failing) {
                log.warn("Cannot refresh the snapshot from the read model, serving the last one (change index {}): {}",
                        store.current().changeIndex(), e.getMessage());
            }
            failing = true;
        }
    }

    /**
     * One poll: nothing when {@link #unchanged()} (two statements), else, in one REPEATABLE READ transaction, a
     * full load when due, else the rows changed since each source's cursor.
     *
     * @throws org.springframework.dao.DataAccessException when the read model cannot be read (the snapshot is kept)
     */
    public synchronized void poll() {
        if (!unchanged()) {
            readTx.executeWithoutResult(status -> pollInTransaction());
        }
        if (store.loaded()) {
            readiness.snapshotLoaded();
        }
    }

    /**
     * Whether this poll would change nothing (issue #16: most polls find nothing; they cost two statements
     * outside a transaction instead of four round trips with its isolation setting and commit). True when a
     * snapshot is loaded, no full reload is due, the same sources are frozen by replays as at the last poll,
     * and no table of the others has rows above its source's cursor. Each statement is consistent on its own,
     * and the answer only lets a poll be skipped: whatever either misses because it changed in between is seen
     * by the next poll, 250 ms later, as it would have been had it come just after this one.
     */
    private boolean unchanged() {
        if (!store.loaded() || System.currentTimeMillis() - lastFullReload >= properties.snapshotFullReload().toMillis()) {
            return false;
        }
        SegmentWatermarks.Sources sources = SegmentWatermarks.read(checks, fence);
        Set<ChangeSource> replaying = sources.replaying();
        return replaying.equals(frozen) && sources.resets().equals(resets)
                && changed(readable(replaying), source -> cursors.getOrDefault(source, -1L), checks).isEmpty();
    }

    private List<TableLoader> readable(Set<ChangeSource> replaying) {
        return loaders.stream().filter(loader -> !replaying.contains(loader.source())).toList();
    }

    private void pollInTransaction() {
        long now = System.currentTimeMillis();
        // outside a transaction PostgreSQL would only warn about the SET below and read at READ COMMITTED
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("the snapshot poll must run in a transaction");
        }
        // the transaction's first statement: one consistent view across the tables, so that no change index is skipped
        jdbc.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        SegmentWatermarks.Sources sources = SegmentWatermarks.read(jdbc, fence); // before the rows (see there)
        Set<ChangeSource> replaying = sources.replaying();
        Set<ChangeSource> unseen = replayedUnseen(sources);
        Set<ChangeSource> thawed = new HashSet<>(frozen);
        thawed.addAll(unseen);
        thawed.removeAll(replaying);
        for (ChangeSource source : unseen) {
            if (thawed.contains(source)) {
                log.info("A replay has reset {} since the last poll and is over: its tables are read whole",
                        source.processingGroup());
            }
        }
        logFreeze(replaying);
        if (!replaying.isEmpty() && !store.loaded()) {
            frozen = replaying;
            resets = sources.resets();
            return; // no first snapshot from half-rebuilt tables: not ready until the replay has passed its reset point
        }
        // a full load reads every table: postponed while a source is frozen, done as soon as the last one thaws;
        // a source that thaws while another is still frozen has its own tables read whole (rows its replay
        // rebuilt below its cursor, or removed, would otherwise stay stale until the other thaws)
        boolean full = replaying.isEmpty()
                && (!store.loaded() || !thawed.isEmpty() || now - lastFullReload >= properties.snapshotFullReload().toMillis());
        SnapshotDraft draft = full ? SnapshotDraft.full()
                : SnapshotDraft.changesSince(store.current(), hashesByKeyId, cursors, thawed);
        List<TableLoader> readable = readable(replaying);
        for (TableLoader loader : full ? readable : changed(readable, draft::since, jdbc)) {
            loader.load(jdbc, draft);
        }
        if (full) {
            lastFullReload = now;
        }
        if (full || draft.reloads() || draft.changed() > 0) {
            hashesByKeyId = draft.hashesByKeyId;
            cursors = SegmentWatermarks.cap(draft.cursors(), sources.caps());
            store.replace(draft.build(Instant.now()));
            log.debug("Snapshot {}: {} changed rows, cursors {}", full ? "reloaded" : "updated", draft.changed(), cursors);
        }
        // only once the reload a thaw calls for is in the snapshot: a poll that fails before (the database) leaves
        // the thawed sources frozen here, so that the next poll reloads them
        frozen = replaying;
        resets = sources.resets();
    }

    /**
     * @return the sources a whole replay has reset since the last poll without any poll seeing them replaying
     *         (a small read model rebuilds within one poll interval): read whole like a thawed source, else the
     *         rows the rebuild wrote below the cursor, or removed, would wait for the next full reload
     */
    private Set<ChangeSource> replayedUnseen(SegmentWatermarks.Sources sources) {
        Set<ChangeSource> out = new HashSet<>();
        if (resets != null) {
            sources.resets().forEach((source, count) -> {
                if (count > resets.getOrDefault(source, 0L)) {
                    out.add(source);
                }
            });
        }
        return out;
    }

    /**
     * One statement instead of one per table: which of {@code candidates} have rows above their source's
     * cursor. Each loader's query reads only its table's rows above that cursor, so a loader left out
     * here would have read nothing (a poll that finds no change costs one round trip, not eight).
     *
     * @param since the cursor of each source: the change index its tables' rows are read above
     * @return the loaders of {@code candidates} with changed rows, in their order
     */
    private static List<TableLoader> changed(List<TableLoader> candidates, ToLongFunction<ChangeSource> since,
                                             JdbcTemplate jdbc) {
        if (candidates.isEmpty()) {
            return candidates;
        }
        StringBuilder sql = new StringBuilder();
        Object[] cursors = new Object[candidates.size()];
        for (int i = 0; i < candidates.size(); i++) {
            // table names are the loaders' constants, never input
            sql.append(i == 0 ? "" : " UNION ALL ").append("SELECT ").append(i)
                    .append(" WHERE EXISTS (SELECT 1 FROM ").append(candidates.get(i).table()).append(" WHERE change_index > ?)");
            cursors[i] = since.applyAsLong(candidates.get(i).source());
        }
        Set<Integer> withRows = new HashSet<>(jdbc.queryForList(sql.toString(), Integer.class, cursors));
        List<TableLoader> out = new ArrayList<>(withRows.size());
        for (int i = 0; i < candidates.size(); i++) {
            if (withRows.contains(i)) {
                out.add(candidates.get(i));
            }
        }
        return out;
    }

    private void logFreeze(Set<ChangeSource> replaying) {
        for (ChangeSource source : replaying) {
            if (!frozen.contains(source)) {
                log.info("A replay is rebuilding {}: its tables are not read until it has passed its reset point; {}",
                        source.processingGroup(), store.loaded() ? "the snapshot keeps their last state"
                                : "no snapshot is loaded meanwhile (not ready)");
            }
        }
        for (ChangeSource source : frozen) {
            if (!replaying.contains(source)) {
                log.info("The replay of {} has passed its reset point: {}", source.processingGroup(),
                        replaying.isEmpty() ? "full reload" : "its tables are read whole (another replay still runs)");
            }
        }
    }

    /** @return the change index each source's rows have been read up to (poller state, for tests and logs) */
    public synchronized Map<String, Long> cursors() {
        Map<String, Long> out = new java.util.TreeMap<>();
        cursors.forEach((source, index) -> out.put(source.processingGroup(), index));
        return out;
    }
}
