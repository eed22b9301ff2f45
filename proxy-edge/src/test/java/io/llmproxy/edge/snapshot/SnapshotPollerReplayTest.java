package io.llmproxy.edge.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ApiKeyEntry;
import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.TestEdgeProperties;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.testsupport.LocalPostgres;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The edge during a replay (ADR 0023 addendum, {@link io.llmproxy.kernel.replay.ReplayFence}): the
 * reset empties the processor's tables and marks its segments {@code replaying}; the rebuild then
 * writes old states (a revoked key active, a suspended tenant active, an opted-out tenant opted in)
 * until their later events are replayed. The poller keeps the last state of a replaying source, even
 * when a full reload is due (here: at every poll), loads no first snapshot from it, and reloads
 * everything once the replay has passed its reset point.
 */
class SnapshotPollerReplayTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static JdbcTemplate db;
    static DriverManagerDataSource dataSource;

    SnapshotStore store;
    SnapshotPoller poller;
    String tenant;
    String key;

    @BeforeAll
    static void database() {
        String url = ReadModelDatabase.create("llmproxy_edge_replay");
        dataSource = new DriverManagerDataSource(url, LocalPostgres.user(), LocalPostgres.password());
        db = new JdbcTemplate(dataSource);
        ReadModelDatabase.createTokenStore(db);
    }

    SnapshotPoller poller() {
        // a full reload is due at every poll: only the fence keeps the half-rebuilt tables out
        return poller(Duration.ZERO);
    }

    /** @return whether {@link #poller()} makes every poll a full reload (no replay holds it back) */
    boolean everyPollReloads() {
        return true;
    }

    SnapshotPoller poller(Duration fullReload) {
        EdgeProperties properties = TestEdgeProperties.of(SECRET, Duration.ofMillis(250), fullReload,
                Duration.ofSeconds(5), Duration.ofSeconds(300));
        return new SnapshotPoller(db, new DataSourceTransactionManager(dataSource), store, properties,
                JsonMapper.builder().build(), new SnapshotReadiness(store, event -> { }));
    }

    @BeforeEach
    void revokedKeySuspendedTenantOptedOut() {
        db.execute("TRUNCATE rm_api_key, rm_tenant, audit_content_policy, rm_route, tokenentry, projection_segment_position, "
                + "projection_replay, projection_replay_ack");
        for (String processor : new String[] {"admin-read-model", "audit-admin"}) {
            for (int segment = 0; segment < 2; segment++) {
                db.update("INSERT INTO tokenentry (processorname, segment, owner) VALUES (?, ?, 'node-a')", processor, segment);
                db.update("""
                        INSERT INTO projection_segment_position (processor, segment, position, owner, updated_at)
                        VALUES (?, ?, 100, 'node-a', now())""", processor, segment);
            }
        }
        store = new SnapshotStore();
        poller = poller();
        tenant = "t-" + UUID.randomUUID();
        key = ApiKeys.generate();
        db.update("INSERT INTO rm_tenant (tenant_id, name, status, created_at, change_index) VALUES (?, 'x', 'SUSPENDED', now(), 9)",
                tenant);
        db.update("""
                INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index)
                VALUES ('k1', ?, 'k', ?, ?, 'REVOKED', now(), 8)""", tenant, ApiKeys.hash(key), ApiKeys.displayPrefix(key));
        db.update("INSERT INTO audit_content_policy (tenant_id, store_prompt_content, updated_at, change_index) "
                + "VALUES (?, false, now(), 7)", tenant);
        poller.poll();
        assertRevokedSuspendedOptedOut();
    }

    void assertRevokedSuspendedOptedOut() {
        ApiKeyEntry entry = store.current().keysByHash().get(ApiKeys.hash(key));
        assertThat(entry).isNotNull();
        assertThat(entry.active()).isFalse();
        assertThat(store.current().suspended(tenant)).isTrue();
        assertThat(store.current().storesPromptContent(tenant)).isFalse();
    }

    /** What the reset does, then the rebuild half-way: each table back at its first event. */
    void resetAndHalfRebuild(String processor) {
        db.update("UPDATE projection_segment_position SET position = -1, replaying = true WHERE processor = ?", processor);
        if (processor.equals("admin-read-model")) {
            db.update("UPDATE rm_api_key SET status = 'ACTIVE', change_index = 2");
            db.update("UPDATE rm_tenant SET status = 'ACTIVE', change_index = 1");
        } else {
            db.update("UPDATE audit_content_policy SET store_prompt_content = true, change_index = 3");
        }
        // the other segment has already passed the reset point: one replaying segment is enough
        db.update("UPDATE projection_segment_position SET position = 100, replaying = false WHERE processor = ? AND segment = 1",
                processor);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"admin-read-model", "audit-admin"})
    void aReplayingSourceKeepsItsLastStateThroughDueFullReloads(String processor) {
        resetAndHalfRebuild(processor);
        for (int i = 0; i < 3; i++) {
            poller.poll();
            assertRevokedSuspendedOptedOut();
        }
        assertThat(store.loaded()).isTrue();
    }

    @Test
    void theOtherSourceIsStillRead() {
        resetAndHalfRebuild("audit-admin");
        db.update("INSERT INTO rm_route (route_id, tenant_id, model, targets, updated_at, change_index) "
                + "VALUES ('gpt-x', NULL, 'gpt-x', '[{\"providerId\":\"p1\",\"model\":\"m\"}]'::jsonb, now(), 120)");
        poller.poll();
        assertThat(store.current().route(tenant, "gpt-x")).isNotNull();
        assertThat(store.current().storesPromptContent(tenant)).isFalse();
    }

    @Test
    void onceThePassIsOverEverythingIsReloadedAlsoRowsBelowTheCursor() {
        resetAndHalfRebuild("admin-read-model");
        poller.poll();
        // the rebuild finishes: the revocation and suspension are back; a route it repaired has a low index
        db.update("UPDATE rm_api_key SET status = 'REVOKED', change_index = 8");
        db.update("UPDATE rm_tenant SET status = 'SUSPENDED', change_index = 9");
        db.update("INSERT INTO rm_route (route_id, tenant_id, model, targets, updated_at, change_index) "
                + "VALUES ('gpt-y', NULL, 'gpt-y', '[{\"providerId\":\"p1\",\"model\":\"m\"}]'::jsonb, now(), 1)");
        db.update("UPDATE projection_segment_position SET position = 100, replaying = false");
        poller.poll();
        assertRevokedSuspendedOptedOut();
        assertThat(store.current().route(tenant, "gpt-y")).isNotNull();
    }

    static final String TARGETS = "'[{\"providerId\":\"p1\",\"model\":\"m\"}]'::jsonb";

    void route(String model, long changeIndex) {
        db.update("INSERT INTO rm_route (route_id, tenant_id, model, targets, updated_at, change_index) "
                + "VALUES (?, NULL, ?, " + TARGETS + ", now(), ?)", model, model, changeIndex);
    }

    void replayPassed(String processor) {
        db.update("UPDATE projection_segment_position SET position = 100, replaying = false WHERE processor = ?", processor);
    }

    /**
     * Both sources replay; admin-read-model's ends first. Its tables are read whole at once: a route its
     * rebuild wrote below the cursor is there, one it did not rebuild is gone, the revocation and suspension
     * are back; audit-admin's half-rebuilt opt-in is still not read.
     */
    @Test
    void aSourceWhoseReplayEndsWhileTheOtherStillRunsIsReadWhole() {
        route("gpt-old", 10); // above the cursor (9): read by an incremental poll too
        poller.poll();
        assertThat(store.current().route(tenant, "gpt-old")).isNotNull();
        resetAndHalfRebuild("admin-read-model");
        resetAndHalfRebuild("audit-admin");
        db.update("DELETE FROM rm_route");
        poller.poll();
        assertRevokedSuspendedOptedOut();
        db.update("UPDATE rm_api_key SET status = 'REVOKED', change_index = 8");
        db.update("UPDATE rm_tenant SET status = 'SUSPENDED', change_index = 9");
        route("gpt-y", 1);
        replayPassed("admin-read-model");
        poller.poll();
        assertRevokedSuspendedOptedOut();
        assertThat(store.current().route(tenant, "gpt-y")).isNotNull();
        assertThat(store.current().route(tenant, "gpt-old")).isNull();
        assertThat(poller.cursors()).containsEntry("admin-read-model", 9L);
        // the other ends: everything is read, its rebuilt opt-in (true, index 3) too
        replayPassed("audit-admin");
        poller.poll();
        assertThat(store.current().storesPromptContent(tenant)).isTrue();
        assertThat(store.current().route(tenant, "gpt-y")).isNotNull();
    }

    /**
     * Both sources replay; audit-admin's ends first. Its opt-ins are read whole: one its rebuild wrote below
     * the cursor counts, one it did not rebuild is gone; admin-read-model's half-rebuilt rows (an active key,
     * an active tenant) are still not read.
     */
    @Test
    void theContentOptInsAreReadWholeWhileTheAdminReadModelStillReplays() {
        String other = "t-" + UUID.randomUUID();
        db.update("INSERT INTO audit_content_policy (tenant_id, store_prompt_content, updated_at, change_index) "
                + "VALUES (?, true, now(), 11)", other); // above the cursor (7)
        poller.poll();
        assertThat(store.current().storesPromptContent(other)).isTrue();
        resetAndHalfRebuild("admin-read-model");
        resetAndHalfRebuild("audit-admin");
        db.update("DELETE FROM audit_content_policy WHERE tenant_id = ?", other);
        poller.poll();
        assertRevokedSuspendedOptedOut();
        assertThat(store.current().storesPromptContent(other)).isTrue();
        replayPassed("audit-admin");
        poller.poll();
        assertThat(store.current().storesPromptContent(tenant)).isTrue();
        assertThat(store.current().storesPromptContent(other)).isFalse();
        assertThat(store.current().suspended(tenant)).isTrue();
        assertThat(store.current().keysByHash().get(ApiKeys.hash(key)).active()).isFalse();
        assertThat(poller.cursors()).containsEntry("audit-admin", 3L);
    }

    /**
     * The poll right after a replay ends fails (here: a table it reads is missing for a moment); the next one
     * still reads the source whole, although no full reload is due, whether the other source replays on ({@code true}) or not.
     */
    @ParameterizedTest(name = "the other source still replays: {0}")
    @ValueSource(booleans = {true, false})
    void aThawIsNotForgottenWhenThePollAfterItFails(boolean otherReplays) {
        poller = poller(Duration.ofHours(1)); // no full reload falls due meanwhile
        route("gpt-old", 10); // above the cursor (9): read by an incremental poll too
        poller.poll();
        assertThat(store.current().route(tenant, "gpt-old")).isNotNull();
        resetAndHalfRebuild("admin-read-model");
        if (otherReplays) {
            resetAndHalfRebuild("audit-admin");
        }
        db.update("DELETE FROM rm_route");
        poller.poll();
        route("gpt-y", 1);
        db.update("UPDATE rm_api_key SET status = 'REVOKED', change_index = 8");
        db.update("UPDATE rm_tenant SET status = 'SUSPENDED', change_index = 9");
        replayPassed("admin-read-model");
        db.execute("ALTER TABLE rm_route RENAME TO rm_route_moved");
        try {
            assertThatThrownBy(poller::poll).isInstanceOf(RuntimeException.class);
        } finally {
            db.execute("ALTER TABLE rm_route_moved RENAME TO rm_route");
        }
        poller.poll();
        assertRevokedSuspendedOptedOut();
        assertThat(store.current().route(tenant, "gpt-y")).isNotNull();
        assertThat(store.current().route(tenant, "gpt-old")).isNull();
    }

    /**
     * A whole replay between two polls (a small read model rebuilds within one poll interval): no poll sees the
     * source replaying, but its reset count (requests DONE in {@code projection_replay}) has grown, so its tables
     * are read whole: what the rebuild wrote below the cursor is read, what it did not rebuild is gone.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"admin-read-model", "audit-admin"})
    void aReplayThatBeganAndEndedBetweenTwoPollsIsReadWhole(String processor) {
        route("gpt-old", 10); // above the cursor (9): read by an incremental poll too
        poller.poll();
        assertThat(store.current().route(tenant, "gpt-old")).isNotNull();
        // the reset (its request DONE in the same transaction), the rebuild, the fence lifted: all before the next poll
        db.update("""
                INSERT INTO projection_replay (id, processor, requested_by, requested_at, state, finished_at)
                VALUES (?, ?, 'test', now(), 'DONE', now())""", UUID.randomUUID(), processor);
        if (processor.equals("admin-read-model")) {
            db.update("DELETE FROM rm_route");
            route("gpt-y", 1);
        } else {
            db.update("UPDATE audit_content_policy SET store_prompt_content = true, change_index = 3");
        }
        poller.poll();
        if (processor.equals("admin-read-model")) {
            assertThat(store.current().route(tenant, "gpt-y")).isNotNull();
            assertThat(store.current().route(tenant, "gpt-old")).isNull();
            assertRevokedSuspendedOptedOut();
        } else {
            assertThat(store.current().storesPromptContent(tenant)).isTrue();
            assertThat(store.current().suspended(tenant)).isTrue();
        }
        if (!everyPollReloads()) { // read once: the next poll, the count unchanged, keeps the same snapshot
            EdgeSnapshot before = store.current();
            poller.poll();
            assertThat(store.current()).isSameAs(before);
        }
    }

    @Test
    void noFirstSnapshotIsLoadedFromAReplayingSource() {
        resetAndHalfRebuild("admin-read-model");
        store = new SnapshotStore();
        poller = poller();
        poller.poll();
        assertThat(store.loaded()).isFalse();
        db.update("UPDATE rm_api_key SET status = 'REVOKED', change_index = 8");
        db.update("UPDATE rm_tenant SET status = 'SUSPENDED', change_index = 9");
        db.update("UPDATE projection_segment_position SET position = 100, replaying = false");
        poller.poll();
        assertThat(store.loaded()).isTrue();
        assertRevokedSuspendedOptedOut();
    }

    /** A replaying row of a segment no longer in the token store (merged away) holds nothing back. */
    @Test
    void aStaleRowOfASegmentNotInTheTokenStoreDoesNotFreeze() {
        db.update("INSERT INTO projection_segment_position (processor, segment, position, owner, updated_at, replaying) "
                + "VALUES ('admin-read-model', 7, -1, 'reset', now(), true)");
        db.update("UPDATE rm_api_key SET status = 'ACTIVE', change_index = 150");
        poller.poll();
        assertThat(store.current().keysByHash().get(ApiKeys.hash(key)).active()).isTrue();
    }
}
