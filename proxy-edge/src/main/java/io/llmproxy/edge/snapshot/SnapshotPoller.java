package io.llmproxy.edge.snapshot;

import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ApiKeyEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import io.llmproxy.kernel.secret.SecretCipher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The edge's change stream (ADR 0002): on its own thread, never on a Netty event loop, polls the
 * read model for rows whose {@code change_index} (the Axon global index of the event that last
 * changed them) is above the highest seen, and swaps in a new immutable snapshot. Every
 * {@code snapshotFullReload} it reloads everything. When PostgreSQL is unreachable it logs and
 * keeps serving the last snapshot.
 */
@Component
public class SnapshotPoller implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SnapshotPoller.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate readTx;
    private final SnapshotStore store;
    private final EdgeProperties properties;
    private final SecretCipher cipher;
    private final JsonMapper json;
    private ScheduledExecutorService executor;
    private volatile boolean running;
    private volatile boolean failing;
    private long lastFullReload;

    public SnapshotPoller(JdbcTemplate jdbc, PlatformTransactionManager txManager, SnapshotStore store,
                          EdgeProperties properties, JsonMapper json) {
        this.jdbc = jdbc;
        this.readTx = new TransactionTemplate(txManager);
        // One consistent view across the three tables, so that no change index is skipped.
        this.readTx.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.readTx.setReadOnly(true);
        this.readTx.setTimeout(5);
        this.store = store;
        this.properties = properties;
        this.cipher = new SecretCipher(properties.secretKey());
        this.json = json;
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
            if (!failing) {
                log.warn("Cannot refresh the snapshot from the read model, serving the last one (change index {}): {}",
                        store.current().changeIndex(), e.getMessage());
                failing = true;
            }
        }
    }

    /** One poll: a full load when due, else the rows changed since the last seen change index. */
    public void poll() {
        readTx.executeWithoutResult(status -> pollInTransaction());
    }

    private void pollInTransaction() {
        long now = System.currentTimeMillis();
        EdgeSnapshot current = store.current();
        boolean full = !store.loaded() || now - lastFullReload >= properties.snapshotFullReload().toMillis();
        long since = full ? -1 : current.changeIndex();
        Map<String, ApiKeyEntry> keys = full ? new HashMap<>() : new HashMap<>(current.keysByHash());
        Map<String, RouteEntry> routes = full ? new HashMap<>() : new HashMap<>(current.routesByModel());
        Map<String, ProviderEntry> providers = full ? new HashMap<>() : new HashMap<>(current.providersById());
        long[] max = {Math.max(since, 0)};
        int[] changed = {0};

        jdbc.query("SELECT key_hash, api_key_id, tenant_id, status, change_index FROM rm_api_key WHERE change_index > ?",
                rs -> {
                    keys.put(rs.getString(1), new ApiKeyEntry(rs.getString(2), rs.getString(3), "ACTIVE".equals(rs.getString(4))));
                    max[0] = Math.max(max[0], rs.getLong(5));
                    changed[0]++;
                }, since);
        jdbc.query("SELECT model, targets::text, updated_at, change_index FROM rm_route WHERE change_index > ?",
                rs -> {
                    List<Target> targets = new ArrayList<>();
                    for (Map<String, String> t : json.readValue(rs.getString(2), new TypeReference<List<Map<String, String>>>() { })) {
                        targets.add(new Target(t.get("providerId"), t.get("model")));
                    }
                    routes.put(rs.getString(1), new RouteEntry(rs.getString(1), List.copyOf(targets),
                            rs.getTimestamp(3).toInstant()));
                    max[0] = Math.max(max[0], rs.getLong(4));
                    changed[0]++;
                }, since);
        jdbc.query("SELECT provider_id, name, type, base_url, api_key_ciphertext, change_index FROM rm_provider WHERE change_index > ?",
                rs -> {
                    String credential;
                    try {
                        credential = cipher.decrypt(rs.getString(5));
                    } catch (IllegalArgumentException e) {
                        log.error("Provider {} credential cannot be decrypted with this LLMPROXY_SECRET_KEY; calls to it will fail",
                                rs.getString(1));
                        credential = null;
                    }
                    providers.put(rs.getString(1), new ProviderEntry(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), credential));
                    max[0] = Math.max(max[0], rs.getLong(6));
                    changed[0]++;
                }, since);

        if (full) {
            lastFullReload = now;
        }
        if (full || changed[0] > 0) {
            store.replace(new EdgeSnapshot(Map.copyOf(keys), Map.copyOf(routes), Map.copyOf(providers), max[0], Instant.now()));
            log.debug("Snapshot {}: {} changed rows, change index {}", full ? "reloaded" : "updated", changed[0], max[0]);
        }
    }
}
