package io.llmproxy.edge.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ApiKeyEntry;
import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.TestEdgeProperties;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.testsupport.LocalPostgres;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
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
 * The snapshot's cursors on the real read model (issue #9, ADR 0002). The tables are written by two
 * Axon processors that run independently ({@code admin-read-model}: keys, tenants, routes…;
 * {@code audit-admin}: {@code audit_content_policy}); the rows are written here directly in the
 * order a processor running ahead of the other produces: a row of the fast one with a high index
 * is committed and polled before a row of the slow one with a lower index. With one cursor over all
 * tables the lower row was skipped until the next full reload (5 min): a revoked key stayed usable.
 */
class SnapshotPollerCursorTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static JdbcTemplate db;
    static DriverManagerDataSource dataSource;

    SnapshotStore store;
    SnapshotPoller poller;
    String tenant;
    String key;

    @BeforeAll
    static void database() {
        String url = ReadModelDatabase.create("llmproxy_edge_cursor");
        dataSource = new DriverManagerDataSource(url, LocalPostgres.user(), LocalPostgres.password());
        db = new JdbcTemplate(dataSource);
        ReadModelDatabase.createTokenStore(db);
    }

    @BeforeEach
    void freshPoller() {
        db.execute("TRUNCATE rm_api_key, rm_tenant, audit_content_policy, rm_route, rm_quota_policy, tokenentry, "
                + "projection_segment_position");
        store = new SnapshotStore();
        // no full reload during the test: only the cursors decide what a poll reads
        EdgeProperties properties = TestEdgeProperties.of(SECRET, Duration.ofMillis(250), Duration.ofHours(1),
                Duration.ofSeconds(5), Duration.ofSeconds(300));
        poller = new SnapshotPoller(db, new DataSourceTransactionManager(dataSource), store, properties, JsonMapper.builder().build(),
                new SnapshotReadiness(store, event -> { }));
        tenant = "t-" + UUID.randomUUID();
        key = ApiKeys.generate();
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'x', now(), 1)", tenant);
        db.update("""
                INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index)
                VALUES ('k1', ?, 'k', ?, ?, 'ACTIVE', now(), 2)""", tenant, ApiKeys.hash(key), ApiKeys.displayPrefix(key));
        poller.poll(); // the first (full) load
        assertThat(entry().active()).isTrue();
        assertThat(poller.cursors()).isEqualTo(Map.of("admin-read-model", 2L));
    }

    ApiKeyEntry entry() {
        return store.current().keysByHash().get(ApiKeys.hash(key));
    }

    void contentPolicy(boolean store, long changeIndex) {
        db.update("""
                INSERT INTO audit_content_policy (tenant_id, store_prompt_content, updated_at, change_index) VALUES (?, ?, now(), ?)
                ON CONFLICT (tenant_id) DO UPDATE SET store_prompt_content = excluded.store_prompt_content,
                    change_index = excluded.change_index""", tenant, store, changeIndex);
    }

    /** audit-admin ahead (its row at 50 is polled first), admin-read-model behind: its revocation at 45 must still be read. */
    @ParameterizedTest(name = "revocation at {0} after the content policy at 50")
    @ValueSource(longs = {3, 45, 49, 50})
    void aKeyRevokedByTheSlowerProcessorIsReadAfterTheFasterOnesHigherRow(long revokedAt) {
        contentPolicy(true, 50);
        poller.poll();
        assertThat(store.current().storesPromptContent(tenant)).isTrue();

        db.update("UPDATE rm_api_key SET status = 'REVOKED', change_index = ? WHERE api_key_id = 'k1'", revokedAt);
        poller.poll();

        assertThat(entry().active()).isFalse();
        assertThat(poller.cursors()).isEqualTo(Map.of("admin-read-model", revokedAt, "audit-admin", 50L));
    }

    /** admin-read-model ahead, audit-admin behind: the opt-in written later with a lower index must still be read. */
    @Test
    void aContentPolicyWrittenByTheSlowerProcessorIsReadAfterTheFasterOnesHigherRow() {
        db.update("UPDATE rm_tenant SET status = 'SUSPENDED', change_index = 80 WHERE tenant_id = ?", tenant);
        poller.poll();
        assertThat(store.current().suspended(tenant)).isTrue();

        contentPolicy(true, 70);
        poller.poll();

        assertThat(store.current().storesPromptContent(tenant)).isTrue();
        assertThat(store.current().suspended(tenant)).isTrue();
        assertThat(store.current().changeIndex()).isEqualTo(80);
        assertThat(poller.cursors()).isEqualTo(Map.of("admin-read-model", 80L, "audit-admin", 70L));
    }

    /**
     * One poll brings rows of several tables of one source, the table loaded first (keys) holding
     * the highest index: every other table's rows above the old cursor are read in the same poll
     * (seen on the local stack: tenant 1, provider 2, route 3 and key 4 polled as 1, 2, then 4:
     * the route was skipped and the model answered 404 until the 5-minute full reload).
     */
    @ParameterizedTest(name = "a key at {0} in the same poll as a route, a tenant change and a quota below it")
    @ValueSource(longs = {4, 10, 1000})
    void rowsOfLaterLoadedTablesBelowAnEarlierTablesNewRowAreReadInTheSamePoll(long keyIndex) {
        db.update("INSERT INTO rm_route (route_id, tenant_id, model, targets, updated_at, change_index) "
                + "VALUES ('gpt-x', NULL, 'gpt-x', '[{\"providerId\":\"p1\",\"model\":\"m\"}]'::jsonb, now(), 3)");
        db.update("INSERT INTO rm_quota_policy (scope, subject_id, tenant_id, limits, updated_at, change_index) "
                + "VALUES ('TENANT', ?, ?, '{\"requestsPerMinute\":7}'::jsonb, now(), 3)", tenant, tenant);
        db.update("UPDATE rm_tenant SET status = 'SUSPENDED', change_index = 3 WHERE tenant_id = ?", tenant);
        String key2 = ApiKeys.generate();
        db.update("""
                INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index)
                VALUES ('k2', ?, 'k', ?, ?, 'ACTIVE', now(), ?)""", tenant, ApiKeys.hash(key2), ApiKeys.displayPrefix(key2), keyIndex);

        poller.poll();

        assertThat(store.current().keysByHash()).containsKey(ApiKeys.hash(key2));
        assertThat(store.current().route(tenant, "gpt-x")).isNotNull();
        assertThat(store.current().route(tenant, "gpt-x").targets()).hasSize(1);
        assertThat(store.current().suspended(tenant)).isTrue();
        assertThat(store.current().quota(io.llmproxy.kernel.quota.QuotaScope.TENANT, tenant).requestsPerMinute()).isEqualTo(7L);
        assertThat(poller.cursors()).isEqualTo(Map.of("admin-read-model", keyIndex));
    }

    /**
     * A transaction of the slow processor held open while the fast one commits: the poll in between
     * sees neither its rows nor skips them later.
     */
    @Test
    void rowsOfATransactionHeldOpenWhileTheOtherProcessorCommitsAreReadOnceItCommits() throws Exception {
        try (var slow = dataSource.getConnection()) {
            slow.setAutoCommit(false);
            try (var revoke = slow.prepareStatement("UPDATE rm_api_key SET status = 'REVOKED', change_index = 60 WHERE api_key_id = 'k1'")) {
                revoke.executeUpdate();
            }
            contentPolicy(true, 61); // audit-admin commits first, with the higher index
            poller.poll();
            assertThat(store.current().storesPromptContent(tenant)).isTrue();
            assertThat(entry().active()).isTrue();
            slow.commit();
        }
        poller.poll();
        assertThat(entry().active()).isFalse();
    }

    /**
     * Several segments (ADR 0022): the key's segment commits its revocation at 105 while the tenant's
     * segment, reported at {@code slowAt}, has yet to commit the suspension at 100. The poll reads the
     * revocation but keeps the cursor at the watermark, so the suspension is read when it lands.
     */
    @ParameterizedTest(name = "segments {0}, slow segment reported at {1}: cursor {2} after the first poll")
    @org.junit.jupiter.params.provider.CsvSource({
            "2, 40, 40",     // watermark = the slow segment's position
            "2, , -1",       // a segment without a report: everything is read again
            "4, 99, 99",
            "1, 40, 105"})   // one segment: rows become visible in order, no watermark
    void withSeveralSegmentsTheCursorStaysAtTheWatermarkSoALateLowerRowIsRead(int segments, Long slowAt, long cursor) {
        for (int segment = 0; segment < segments; segment++) {
            db.update("INSERT INTO tokenentry (processorname, segment, owner) VALUES ('admin-read-model', ?, 'node-a')", segment);
            Long position = segment == 0 ? slowAt : Long.valueOf(120);
            if (position != null) {
                db.update("""
                        INSERT INTO projection_segment_position (processor, segment, position, owner, updated_at)
                        VALUES ('admin-read-model', ?, ?, 'node-a', now())""", segment, position);
            }
        }
        db.update("UPDATE rm_api_key SET status = 'REVOKED', change_index = 105 WHERE api_key_id = 'k1'");
        poller.poll();
        assertThat(entry().active()).isFalse();
        assertThat(poller.cursors()).isEqualTo(Map.of("admin-read-model", cursor));
        if (segments == 1) {
            return; // one segment commits in index order: no row can land below the cursor
        }

        db.update("UPDATE rm_tenant SET status = 'SUSPENDED', change_index = 100 WHERE tenant_id = ?", tenant);
        db.update("UPDATE projection_segment_position SET position = 120 WHERE segment = 0");
        poller.poll();
        assertThat(store.current().suspended(tenant)).isTrue();
        if (slowAt != null) {
            assertThat(poller.cursors()).isEqualTo(Map.of("admin-read-model", 105L));
        }
    }
}
