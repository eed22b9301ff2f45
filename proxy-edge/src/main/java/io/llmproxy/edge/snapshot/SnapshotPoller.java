package io.llmproxy.edge.snapshot;

import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ApiKeyEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import io.llmproxy.edge.snapshot.EdgeSnapshot.TenantEntry;
import io.llmproxy.kernel.billing.Pricing;
import io.llmproxy.kernel.quota.QuotaLimits;
import io.llmproxy.kernel.route.DefineRoute;
import io.llmproxy.kernel.secret.SecretCipher;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private static final TypeReference<List<Map<String, String>>> TARGETS = new TypeReference<>() { };
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };

    private final JdbcTemplate jdbc;
    private final TransactionTemplate readTx;
    private final SnapshotStore store;
    private final EdgeProperties properties;
    private final SecretCipher cipher;
    private final JsonMapper json;
    /** Poller-thread only: the hashes each key id has in the snapshot, to drop stale ones on change. */
    private Map<String, Set<String>> hashesByKeyId = new HashMap<>();
    private ScheduledExecutorService executor;
    private volatile boolean running;
    private volatile boolean failing;
    private long lastFullReload;

    public SnapshotPoller(JdbcTemplate jdbc, PlatformTransactionManager txManager, SnapshotStore store,
                          EdgeProperties properties, JsonMapper json) {
        this.jdbc = jdbc;
        this.readTx = new TransactionTemplate(txManager);
        // One consistent view across the tables, so that no change index is skipped.
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
    public synchronized void poll() {
        readTx.executeWithoutResult(status -> pollInTransaction());
    }

    private void pollInTransaction() {
        long now = System.currentTimeMillis();
        EdgeSnapshot current = store.current();
        boolean full = !store.loaded() || now - lastFullReload >= properties.snapshotFullReload().toMillis();
        long since = full ? -1 : current.changeIndex();
        Map<String, ApiKeyEntry> keys = full ? new HashMap<>() : new HashMap<>(current.keysByHash());
        Map<String, RouteEntry> routes = full ? new HashMap<>() : new HashMap<>(current.routesById());
        Map<String, ProviderEntry> providers = full ? new HashMap<>() : new HashMap<>(current.providersById());
        Map<String, TenantEntry> tenants = full ? new HashMap<>() : new HashMap<>(current.tenantsById());
        Map<String, QuotaLimits> quotas = full ? new HashMap<>() : new HashMap<>(current.quotas());
        Map<String, Set<String>> hashes = full ? new HashMap<>() : new HashMap<>(hashesByKeyId);
        Map<String, List<EdgeSnapshot.PriceEntry>> prices = full ? new HashMap<>() : new HashMap<>(current.prices());
        long[] max = {Math.max(since, 0)};
        int[] changed = {0};

        jdbc.query("""
                SELECT api_key_id, tenant_id, status, key_hash, owner_user_id, allowed_models::text, expires_at,
                       previous_key_hash, previous_valid_until, change_index
                FROM rm_api_key WHERE change_index > ?""", rs -> {
            String apiKeyId = rs.getString(1);
            Set<String> old = hashes.remove(apiKeyId);
            if (old != null) {
                old.forEach(keys::remove);
            }
            String allowed = rs.getString(6);
            Set<String> allowedModels = allowed == null ? null : Set.copyOf(json.readValue(allowed, STRINGS));
            boolean active = "ACTIVE".equals(rs.getString(3));
            Instant expiresAt = instant(rs.getTimestamp(7));
            Set<String> now2 = new HashSet<>();
            keys.put(rs.getString(4), new ApiKeyEntry(apiKeyId, rs.getString(2), active, rs.getString(5), allowedModels,
                    expiresAt, null));
            now2.add(rs.getString(4));
            if (rs.getString(8) != null && rs.getTimestamp(9) != null) {
                keys.put(rs.getString(8), new ApiKeyEntry(apiKeyId, rs.getString(2), active, rs.getString(5), allowedModels,
                        expiresAt, instant(rs.getTimestamp(9))));
                now2.add(rs.getString(8));
            }
            hashes.put(apiKeyId, now2);
            max[0] = Math.max(max[0], rs.getLong(10));
            changed[0]++;
        }, since);
        jdbc.query("SELECT tenant_id, status, change_index FROM rm_tenant WHERE change_index > ?", rs -> {
            TenantEntry before = tenants.get(rs.getString(1));
            tenants.put(rs.getString(1), new TenantEntry(rs.getString(1), "SUSPENDED".equals(rs.getString(2)),
                    before != null && before.storePromptContent()));
            max[0] = Math.max(max[0], rs.getLong(3));
            changed[0]++;
        }, since);
        // after rm_tenant, so that a full load merges the opt-in into the tenants just read
        jdbc.query("SELECT tenant_id, store_prompt_content, change_index FROM audit_content_policy WHERE change_index > ?", rs -> {
            TenantEntry before = tenants.get(rs.getString(1));
            tenants.put(rs.getString(1), new TenantEntry(rs.getString(1), before != null && before.suspended(),
                    rs.getBoolean(2)));
            max[0] = Math.max(max[0], rs.getLong(3));
            changed[0]++;
        }, since);
        jdbc.query("SELECT scope, subject_id, limits::text, change_index FROM rm_quota_policy WHERE change_index > ?", rs -> {
            quotas.put(rs.getString(1) + ":" + rs.getString(2), json.readValue(rs.getString(3), QuotaLimits.class));
            max[0] = Math.max(max[0], rs.getLong(4));
            changed[0]++;
        }, since);
        jdbc.query("SELECT tenant_id, model, targets::text, updated_at, change_index FROM rm_route WHERE change_index > ?",
                rs -> {
                    List<Target> targets = new ArrayList<>();
                    for (Map<String, String> t : json.readValue(rs.getString(3), TARGETS)) {
                        targets.add(new Target(t.get("providerId"), t.get("model")));
                    }
                    routes.put(DefineRoute.idOf(rs.getString(1), rs.getString(2)), new RouteEntry(rs.getString(1),
                            rs.getString(2), List.copyOf(targets), rs.getTimestamp(4).toInstant()));
                    max[0] = Math.max(max[0], rs.getLong(5));
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
        jdbc.query("""
                SELECT provider_id, model, effective_from, input_per_million_usd, output_per_million_usd,
                       cached_input_per_million_usd, change_index
                FROM rm_price WHERE change_index > ? ORDER BY provider_id, model, effective_from""", rs -> {
            String id = rs.getString(1) + "/" + rs.getString(2);
            Instant from = rs.getTimestamp(3).toInstant();
            List<EdgeSnapshot.PriceEntry> schedule = new ArrayList<>(prices.getOrDefault(id, List.of()));
            schedule.removeIf(e -> e.effectiveFrom().equals(from));
            schedule.add(new EdgeSnapshot.PriceEntry(from, new Pricing.Price(rs.getBigDecimal(4), rs.getBigDecimal(5),
                    rs.getBigDecimal(6))));
            schedule.sort(java.util.Comparator.comparing(EdgeSnapshot.PriceEntry::effectiveFrom));
            prices.put(id, List.copyOf(schedule));
            max[0] = Math.max(max[0], rs.getLong(7));
            changed[0]++;
        }, since);

        if (full) {
            lastFullReload = now;
        }
        if (full || changed[0] > 0) {
            hashesByKeyId = hashes;
            store.replace(new EdgeSnapshot(Map.copyOf(keys), Map.copyOf(routes), Map.copyOf(providers), Map.copyOf(tenants),
                    Map.copyOf(quotas), max[0], Instant.now(), Map.copyOf(prices)));
            log.debug("Snapshot {}: {} changed rows, change index {}", full ? "reloaded" : "updated", changed[0], max[0]);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
