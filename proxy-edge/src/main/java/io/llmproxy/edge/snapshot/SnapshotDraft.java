package io.llmproxy.edge.snapshot;

import io.llmproxy.edge.snapshot.EdgeSnapshot.ApiKeyEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.PriceEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteKey;
import io.llmproxy.edge.snapshot.EdgeSnapshot.TenantEntry;
import io.llmproxy.kernel.quota.QuotaLimits;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The next snapshot while the {@link TableLoader}s fill it (poller thread only): mutable copies of
 * the current snapshot's maps (empty ones on a full load) and the cursor of each
 * {@link ChangeSource}. Every map is filled by the tables of {@link ChangeSource#ADMIN_READ_MODEL}, except
 * the tenants' content opt-in, which {@link ChangeSource#AUDIT_ADMIN} fills ({@link #forget}).
 */
final class SnapshotDraft {

    final Map<String, ApiKeyEntry> keys;
    /** the hashes each key id has in the snapshot, to drop stale ones when the key changes */
    final Map<String, Set<String>> hashesByKeyId;
    final Map<RouteKey, RouteEntry> routes;
    final Map<String, ProviderEntry> providers;
    final Map<String, TenantEntry> tenants;
    final Map<String, QuotaLimits> quotas;
    final Map<String, List<PriceEntry>> prices;
    /** Current tenant users by user id (removed ones are deleted from it). */
    final Map<String, EdgeSnapshot.UserEntry> users;
    private final boolean full;
    /** the cursors this poll reads above: fixed for the whole poll, whatever the loaders see */
    private final Map<ChangeSource, Long> since;
    /** the cursors after this poll: the highest change index read per source */
    private final EnumMap<ChangeSource, Long> cursors;
    private int changed;

    /** whether this draft reads some source whole, its earlier state forgotten (a replay of it has ended) */
    private final boolean reloads;

    private SnapshotDraft(EdgeSnapshot base, Map<String, Set<String>> hashes, Map<ChangeSource, Long> cursors, boolean full,
                          Set<ChangeSource> reload) {
        this.full = full;
        this.reloads = !reload.isEmpty();
        this.keys = new HashMap<>(base.keysByHash());
        this.hashesByKeyId = new HashMap<>(hashes);
        this.routes = new HashMap<>(base.routes());
        this.providers = new HashMap<>(base.providersById());
        this.tenants = new HashMap<>(base.tenantsById());
        this.quotas = new HashMap<>(base.quotas());
        this.prices = new HashMap<>(base.prices());
        this.users = new HashMap<>();
        base.usersByPrincipal().values().forEach(list -> list.forEach(u -> users.put(u.userId(), u)));
        this.cursors = new EnumMap<>(ChangeSource.class);
        this.cursors.putAll(cursors);
        reload.forEach(source -> {
            this.cursors.remove(source);
            forget(source);
        });
        this.since = Map.copyOf(this.cursors);
    }

    /**
     * Drops what the tables of {@code source} put into this draft, so that reading all of them again gives
     * the same state as a full load would (rows a replay removed are gone, rows it rebuilt below the cursor
     * are read), while the other sources keep theirs.
     */
    private void forget(ChangeSource source) {
        switch (source) {
            case ADMIN_READ_MODEL -> {
                keys.clear();
                hashesByKeyId.clear();
                routes.clear();
                providers.clear();
                quotas.clear();
                prices.clear();
                users.clear();
                tenants.replaceAll((id, t) -> new TenantEntry(id, false, t.storePromptContent()));
            }
            case AUDIT_ADMIN -> tenants.replaceAll((id, t) -> new TenantEntry(id, t.suspended(), false));
        }
    }

    /** @return a draft that starts empty and reads every row */
    static SnapshotDraft full() {
        return new SnapshotDraft(EdgeSnapshot.EMPTY, Map.of(), Map.of(), true, Set.of());
    }

    /** @return a draft on top of {@code current} that reads the rows above each source's cursor */
    static SnapshotDraft changesSince(EdgeSnapshot current, Map<String, Set<String>> hashesByKeyId,
                                      Map<ChangeSource, Long> cursors) {
        return changesSince(current, hashesByKeyId, cursors, Set.of());
    }

    /**
     * @return a draft on top of {@code current} that reads every row of the sources in {@code reload}, their
     *         state in {@code current} forgotten first ({@link #forget}), and the rows above each other source's
     *         cursor: a source whose replay has ended while another's still runs (that one's tables are not read)
     */
    static SnapshotDraft changesSince(EdgeSnapshot current, Map<String, Set<String>> hashesByKeyId,
                                      Map<ChangeSource, Long> cursors, Set<ChangeSource> reload) {
        return new SnapshotDraft(current, hashesByKeyId, cursors, false, reload);
    }

    /**
     * @return the change index to read above for {@code source}: -1 (everything) on a full load.
     *         It is the cursor as it stood when the poll began, the same for every table of the
     *         source: a table loaded later in the poll must not be read above the index of a row a
     *         table loaded earlier just brought (a key at 4 read before a route at 3 would skip the
     *         route until the next full reload).
     */
    long since(ChangeSource source) {
        return full ? -1 : since.getOrDefault(source, -1L);
    }

    /** Records one row read from a table of {@code source}, last changed by the event at {@code changeIndex}. */
    void seen(ChangeSource source, long changeIndex) {
        cursors.merge(source, changeIndex, Math::max);
        changed++;
    }

    boolean isFull() {
        return full;
    }

    /** @return true when this draft forgot a source's state to read it whole (it differs from its base) */
    boolean reloads() {
        return reloads;
    }

    /** @return rows read into this draft */
    int changed() {
        return changed;
    }

    /** @return the cursor of each source after this draft (a source without rows has none) */
    Map<ChangeSource, Long> cursors() {
        return Map.copyOf(cursors);
    }

    /** @return the immutable snapshot; its {@code changeIndex} is the highest cursor (0 when nothing was read) */
    EdgeSnapshot build(Instant at) {
        long highest = cursors.values().stream().mapToLong(Long::longValue).max().orElse(0);
        Map<String, List<EdgeSnapshot.UserEntry>> byPrincipal = new HashMap<>();
        users.values().forEach(u -> byPrincipal.computeIfAbsent(u.principal(), p -> new java.util.ArrayList<>()).add(u));
        byPrincipal.replaceAll((p, list) -> List.copyOf(list));
        return new EdgeSnapshot(Map.copyOf(keys), Map.copyOf(routes), Map.copyOf(providers), Map.copyOf(tenants),
                Map.copyOf(quotas), Math.max(highest, 0), at, Map.copyOf(prices), Map.copyOf(byPrincipal));
    }
}
