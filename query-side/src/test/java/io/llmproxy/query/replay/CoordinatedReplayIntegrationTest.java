package io.llmproxy.query.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.apikey.ApiKeyIssued;
import io.llmproxy.kernel.audit.AuditContentPolicySet;
import io.llmproxy.kernel.provider.ProviderRegistered;
import io.llmproxy.kernel.quota.QuotaLimits;
import io.llmproxy.kernel.quota.QuotaPolicySet;
import io.llmproxy.kernel.quota.QuotaScope;
import io.llmproxy.kernel.route.RouteDefined;
import io.llmproxy.kernel.route.RouteTarget;
import io.llmproxy.kernel.tenant.TenantCreated;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.user.UserAdded;
import io.llmproxy.kernel.user.UserRole;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import tools.jackson.databind.JsonNode;

/**
 * A replay requested on one query-side instance is carried out by all of them (ADR 0023): two whole
 * query-side applications (node-a, node-b) on one PostgreSQL, both holding segments of both event
 * processors; a third started while a request is open; dead and hung instances simulated by their
 * claims in Axon's token store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CoordinatedReplayIntegrationTest {

    private static final String READ_MODEL = "admin-read-model";
    private static final String AUDIT = "audit-admin";
    private static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
    private static final int TENANTS = 6;
    /** the read-model and audit tables the two processors write, compared row for row (audit_log without its serial id) */
    private static final List<String> TABLES = List.of("rm_tenant", "rm_user", "rm_api_key", "rm_provider", "rm_route",
            "rm_quota_policy", "rm_quota_policy_history", "rm_role_assignment", "audit_log", "audit_chain_head",
            "audit_content_policy");

    private EmbeddedKafkaKraftBroker kafka;
    private String url;
    private QueryNode a;
    private QueryNode b;
    private JdbcTemplate jdbc;
    private int published;

    @BeforeAll
    void start() {
        kafka = new EmbeddedKafkaKraftBroker(1, 1, UsageRecorded.TOPIC);
        kafka.afterPropertiesSet();
        url = LocalPostgres.freshDatabase("llmproxy_replay_it");
        a = QueryNode.start("node-a", url, kafka.getBrokersAsString());
        b = QueryNode.start("node-b", url, kafka.getBrokersAsString());
        jdbc = a.bean(JdbcTemplate.class);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {b, a}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the next one still closes
            }
        }
        if (kafka != null) {
            kafka.destroy();
        }
    }

    @Test
    @Order(1)
    void aReplayRequestedOnOneInstanceIsCarriedOutByAll() throws Exception {
        for (int i = 1; i <= TENANTS; i++) {
            String t = tenant(i);
            publish(t, 0, new TenantCreated(t, "Tenant " + i, T0.plusSeconds(i)));
            publish(t, 1, new UserAdded(t, "u" + i, "user" + i + "@example.org", UserRole.Developer, T0.plusSeconds(10 + i)));
            publish(t, 2, new ApiKeyIssued(t, "k" + i, "ci", "%064d".formatted(i), "llmp_" + i, T0.plusSeconds(20 + i), "u" + i,
                    List.of("gpt-4o-mini"), null));
            publish(t, 3, new QuotaPolicySet(t, QuotaScope.TENANT, t,
                    new QuotaLimits(100L * i, null, null, null, null, null, null, null), T0.plusSeconds(30 + i)));
            if (i % 2 == 0) {
                publish(t, 4, new AuditContentPolicySet(t, true, T0.plusSeconds(40 + i)));
            }
        }
        publish("p1", 0, new ProviderRegistered("p1", "sim", "openai", "http://127.0.0.1:5100/v1", "v1:cipher", T0));
        publish("gpt-4o-mini", 0, new RouteDefined("gpt-4o-mini", List.of(new RouteTarget("p1", "sim-a")), T0));
        await().atMost(Duration.ofSeconds(60)).until(() -> count("rm_quota_policy") == TENANTS && count("rm_route") == 1
                && count("audit_log") == published);
        splitSegments(READ_MODEL);
        splitSegments(AUDIT);
        Map<String, List<String>> before = snapshot();
        assertThat(before.get("rm_tenant")).hasSize(TENANTS);
        assertThat(before.get("audit_log")).hasSize(published).hasSize(6 * 4 + 3 + 2);
        jdbc.update("UPDATE rm_tenant SET name = 'tampered'");
        jdbc.update("DELETE FROM rm_user");
        jdbc.update("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2");

        HttpResponse<String> readModel = a.post("/admin/v1/projections/" + READ_MODEL + "/replay");
        assertThat(readModel.statusCode()).as(readModel.body()).isEqualTo(202);
        JsonNode accepted = a.bean(tools.jackson.databind.json.JsonMapper.class).readTree(readModel.body());
        assertThat(accepted.get("projection").asString()).isEqualTo(READ_MODEL);
        assertThat(accepted.get("status").asString()).isEqualTo("replaying");
        String location = "/admin/v1/projections/" + READ_MODEL + "/replays/" + accepted.get("replayId").asString();
        assertThat(readModel.headers().firstValue("Location")).hasValue(location);
        // the other processor at the same time, asked of the other instance
        HttpResponse<String> audit = b.post("/admin/v1/projections/" + AUDIT + "/replay");
        assertThat(audit.statusCode()).as(audit.body()).isEqualTo(202);
        String auditLocation = audit.headers().firstValue("Location").orElseThrow();

        for (String replay : List.of(location, auditLocation)) {
            JsonNode done = awaitRestarted(replay, Set.of("node-a", "node-b"));
            assertThat(done.get("state").asString()).isEqualTo("DONE");
            assertThat(done.get("resetBy").asString()).isIn("node-a", "node-b");
            assertThat(done.get("detail").isNull()).isTrue();
            assertThat(Instant.parse(done.get("finishedAt").asString()))
                    .isAfterOrEqualTo(Instant.parse(done.get("resetStartedAt").asString()))
                    .isAfterOrEqualTo(Instant.parse(done.get("requestedAt").asString()));
        }
        assertThat(a.json(location).get("requestedBy").asString()).isEqualTo("node-a");
        assertThat(a.json(auditLocation).get("requestedBy").asString()).isEqualTo("node-b");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(snapshot()).isEqualTo(before));
        assertChainsVerify();
        // both processors run again: a new event is projected
        publish(tenant(1), 5, new UserAdded(tenant(1), "u-after", "after@example.org", UserRole.Reader, T0.plusSeconds(99)));
        await().atMost(Duration.ofSeconds(60)).until(() -> count("rm_user") == TENANTS + 1 && count("audit_log") == published);
    }

    @Test
    @Order(2)
    void aDeadInstancesClaimIsWaitedOutThenTheReplayCompletes() throws Exception {
        Map<String, List<String>> before = snapshot();
        // node-dead claimed segment 0 and died: its claim is never renewed
        Instant deadAt = Instant.now();
        jdbc.update("UPDATE tokenentry SET owner = 'node-dead', timestamp = ? WHERE processorname = ? AND segment = 0",
                DateTimeUtils.formatInstant(deadAt), READ_MODEL);
        HttpResponse<String> first = b.post("/admin/v1/projections/" + READ_MODEL + "/replay");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        String location = first.headers().firstValue("Location").orElseThrow();

        // open for at least the claim timeout: a second request is refused, naming the open one
        HttpResponse<String> second = a.post("/admin/v1/projections/" + READ_MODEL + "/replay");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
        assertThat(second.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/problem+json"));
        JsonNode problem = a.bean(tools.jackson.databind.json.JsonMapper.class).readTree(second.body());
        assertThat(problem.get("code").asString()).isEqualTo("replay_in_progress");
        assertThat(location).endsWith("/" + problem.get("replayId").asString());
        assertThat(second.headers().firstValue("Location")).hasValue(location);

        JsonNode done = awaitRestarted(location, Set.of("node-a", "node-b"));
        assertThat(done.get("state").asString()).isEqualTo("DONE");
        // the reset waited for the dead claim to expire (JdbcTokenStore's claim timeout, 10 s)
        assertThat(Instant.parse(done.get("resetStartedAt").asString())).isAfter(deadAt.plusSeconds(10));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(snapshot()).isEqualTo(before));
        assertThat(jdbc.queryForList("SELECT DISTINCT owner FROM tokenentry WHERE processorname = ? AND owner IS NOT NULL",
                String.class, READ_MODEL)).doesNotContain("node-dead");
    }

    @Test
    @Order(3)
    void anInstanceStartedDuringAReplayStopsTooAndAHungClaimFailsTheRequestWithinTheBound() throws Exception {
        Map<String, List<String>> before = snapshot();
        // node-hung keeps renewing its claim on segment 1 but never stops
        ScheduledExecutorService hung = Executors.newSingleThreadScheduledExecutor();
        Runnable renew = () -> jdbc.update("UPDATE tokenentry SET owner = 'node-hung', timestamp = ? WHERE processorname = ? "
                + "AND segment = 1", DateTimeUtils.formatInstant(Instant.now()), AUDIT);
        renew.run();
        hung.scheduleWithFixedDelay(renew, 1, 1, TimeUnit.SECONDS);
        try {
            String location = a.post("/admin/v1/projections/" + AUDIT + "/replay").headers().firstValue("Location").orElseThrow();
            try (QueryNode c = QueryNode.start("node-c", url, kafka.getBrokersAsString())) {
                // node-c auto-started its processors, then stopped the replayed one for the open request
                await().atMost(Duration.ofSeconds(60)).until(() -> nodes(a.json(location), "stoppedAt").contains("node-c"));
                assertThat(a.json(location).get("state").asString()).isEqualTo("REQUESTED");
                JsonNode failed = awaitRestarted(location, Set.of("node-a", "node-b", "node-c"));
                assertThat(failed.get("state").asString()).isEqualTo("FAILED");
                assertThat(failed.get("resetBy").isNull()).isTrue();
                assertThat(failed.get("detail").asString())
                        .startsWith("not reset within 45 s; segments still claimed: 1 by node-hung");
                assertThat(c.bean(EventProcessingConfiguration.class).eventProcessor(AUDIT, StreamingEventProcessor.class)
                        .orElseThrow().isRunning()).isTrue();
            }
        } finally {
            hung.shutdownNow();
            hung.awaitTermination(10, TimeUnit.SECONDS);
        }
        jdbc.update("UPDATE tokenentry SET owner = NULL WHERE processorname = ? AND owner = 'node-hung'", AUDIT);
        // the tokens were not reset: the rows are those of before, and the processors go on from where they were
        assertThat(snapshot()).isEqualTo(before);
        for (int i = 1; i <= TENANTS; i++) {
            publish(tenant(i), jdbc.queryForObject("SELECT max(sequencenumber) + 1 FROM domainevententry WHERE aggregateidentifier = ?",
                    Long.class, tenant(i)),
                    new AuditContentPolicySet(tenant(i), false, T0.plusSeconds(200 + i)));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> count("audit_log") == published);
        assertChainsVerify();
    }

    @Test
    @Order(4)
    void unknownProcessorsAndReplaysAre404AndTheStateNeedsTheToken() throws Exception {
        HttpResponse<String> nope = a.post("/admin/v1/projections/nope/replay");
        assertThat(nope.statusCode()).isEqualTo(404);
        assertThat(nope.body()).contains("\"code\":\"not_found\"");
        String known = jdbc.queryForObject("SELECT id::text FROM projection_replay WHERE processor = ? LIMIT 1", String.class,
                READ_MODEL);
        for (String path : List.of(READ_MODEL + "/replays/" + UUID.randomUUID(), READ_MODEL + "/replays/not-a-uuid",
                AUDIT + "/replays/" + known, "nope/replays/" + known)) {
            HttpResponse<String> r = b.get("/admin/v1/projections/" + path, QueryNode.TOKEN);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).as(path).contains("\"code\":\"not_found\"");
        }
        assertThat(b.get("/admin/v1/projections/" + READ_MODEL + "/replays/" + known, QueryNode.TOKEN).statusCode()).isEqualTo(200);
        assertThat(b.get("/admin/v1/projections/" + READ_MODEL + "/replays/" + known, null).statusCode()).isEqualTo(401);
        assertThat(b.get("/admin/v1/projections/" + READ_MODEL + "/replays/" + known, "wrong").statusCode()).isEqualTo(401);
        // billing keeps its synchronous rebuild from the ledger
        HttpResponse<String> billing = a.post("/admin/v1/projections/billing/replay");
        assertThat(billing.statusCode()).isEqualTo(200);
        assertThat(billing.body()).contains("\"status\":\"rebuilt\"", "\"rows\":0");
    }

    /** Makes both instances hold segments of {@code processor}: the one holding more releases half to the other. */
    private void splitSegments(String processor) {
        Map<String, List<Integer>> owned = owners(processor);
        if (owned.size() < 2) {
            QueryNode holder = owned.containsKey("node-b") ? b : a;
            StreamingEventProcessor p = holder.bean(EventProcessingConfiguration.class)
                    .eventProcessor(processor, StreamingEventProcessor.class).orElseThrow();
            List<Integer> segments = owned.getOrDefault(holder.id, List.of());
            for (int segment : segments.subList(0, segments.size() / 2)) {
                p.releaseSegment(segment, 60, TimeUnit.SECONDS);
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> owners(processor).keySet().equals(Set.of("node-a", "node-b")));
    }

    private Map<String, List<Integer>> owners(String processor) {
        Map<String, List<Integer>> owned = new LinkedHashMap<>();
        jdbc.query("SELECT owner, segment FROM tokenentry WHERE processorname = ? AND owner IS NOT NULL ORDER BY segment",
                rs -> {
                    owned.computeIfAbsent(rs.getString(1), o -> new ArrayList<>()).add(rs.getInt(2));
                }, processor);
        return owned;
    }

    /** Waits until the request is finished and each of {@code nodes} stopped for it and started again. */
    private JsonNode awaitRestarted(String location, Set<String> nodes) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = a.json(location);
            return Set.of("DONE", "FAILED").contains(last[0].get("state").asString())
                    && nodes(last[0], "stoppedAt").equals(nodes) && nodes(last[0], "restartedAt").equals(nodes);
        });
        return last[0];
    }

    /** @return the nodes whose acknowledgement has {@code field} set */
    private static Set<String> nodes(JsonNode replay, String field) {
        Set<String> nodes = new TreeSet<>();
        replay.get("acks").forEach(ack -> {
            if (!ack.get(field).isNull()) {
                nodes.add(ack.get("node").asString());
            }
        });
        return nodes;
    }

    private void assertChainsVerify() throws Exception {
        List<String> chains = jdbc.queryForList("SELECT DISTINCT chain_id FROM audit_log WHERE source = 'admin'", String.class);
        assertThat(chains).hasSize(TENANTS + 1);
        for (String chain : chains) {
            JsonNode v = b.json("/audit/v1/verify?tenantId=" + chain);
            assertThat(v.get("ok").asBoolean()).as(chain + " " + v).isTrue();
            assertThat(v.get("rows").asLong()).as(chain).isEqualTo(count("audit_log WHERE chain_id = '" + chain + "'"));
        }
    }

    private Map<String, List<String>> snapshot() {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String table : TABLES) {
            rows.put(table, jdbc.queryForList("SELECT (to_jsonb(t) - 'id')::text AS r FROM " + table + " t ORDER BY r",
                    String.class));
        }
        return rows;
    }

    private static String tenant(int i) {
        return "%08d-0000-4000-8000-%012d".formatted(i, i);
    }

    private void publish(String aggregateId, long sequence, Object event) {
        a.bean(EventStore.class).publish(new GenericDomainEventMessage<>(event.getClass().getSimpleName(), aggregateId, sequence,
                event, MetaData.with("actor", "admin-token:replay-test")));
        published++;
    }

    private long count(String tableAndCondition) {
        return jdbc.queryForObject("SELECT count(*) FROM " + tableAndCondition, Long.class);
    }
}
