package io.llmproxy.query.segments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.apikey.ApiKeyIssued;
import io.llmproxy.kernel.provider.ProviderRegistered;
import io.llmproxy.kernel.tenant.TenantCreated;
import io.llmproxy.kernel.tenant.TenantRenamed;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.user.UserAdded;
import io.llmproxy.kernel.user.UserRole;
import io.llmproxy.projection.audit.AuditChainVerifier;
import io.llmproxy.query.QuerySideApplication;
import io.llmproxy.query.consistency.ProjectionPositions;
import io.llmproxy.testsupport.LocalPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Two query-side instances share the admin processors' 4 segments through the token store on the
 * real PostgreSQL (ADR 0022): the segments split 2 / 2; read-your-writes positions reach the last
 * event although most segments had nothing to do; each tenant's audit chain holds its events in the
 * event store's order and verifies; and when one instance stops mid-stream, the other takes its
 * segments over and the chains stay whole, without a duplicate or a gap.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SegmentSharingIntegrationTest {

    private static final List<String> PROCESSORS = List.of("admin-read-model", "audit-admin");
    private static final List<String> TENANTS = List.of(
            "c0000000-0000-4000-8000-000000000001", "c0000000-0000-4000-8000-000000000002",
            "c0000000-0000-4000-8000-000000000003", "c0000000-0000-4000-8000-000000000004",
            "c0000000-0000-4000-8000-000000000005", "c0000000-0000-4000-8000-000000000006");
    private static final Instant T0 = Instant.parse("2026-12-05T09:00:00Z");

    private static EmbeddedKafkaBroker kafka;
    private static ConfigurableApplicationContext a;
    private static ConfigurableApplicationContext b;
    private static final Map<String, Long> sequences = new HashMap<>();

    @BeforeAll
    static void start() {
        kafka = new EmbeddedKafkaKraftBroker(1, 1, UsageRecorded.TOPIC);
        kafka.afterPropertiesSet();
        String url = LocalPostgres.freshDatabase("llmproxy_segments_it");
        a = instance("node-a", url);
        b = instance("node-b", url);
    }

    @AfterAll
    static void stop() {
        if (b != null && b.isActive()) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        if (kafka != null) {
            kafka.destroy();
        }
    }

    private static ConfigurableApplicationContext instance(String node, String url) {
        return new SpringApplicationBuilder(QuerySideApplication.class).run(
                "--server.port=0", "--LLMPROXY_NODE_ID=" + node,
                "--spring.datasource.url=" + url, "--spring.datasource.username=" + LocalPostgres.user(),
                "--spring.datasource.password=" + LocalPostgres.password(),
                "--spring.kafka.bootstrap-servers=" + kafka.getBrokersAsString(),
                "--llmproxy.query.admin-token=test-admin-token",
                "--LLMPROXY_PROCESSOR_SEGMENTS=4",
                "--axon.eventhandling.processors.admin-read-model.token-claim-interval=500",
                "--axon.eventhandling.processors.audit-admin.token-claim-interval=500");
    }

    @Test
    @Order(1)
    void theSegmentsSplitTwoAndTwoBetweenTheInstances() {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            for (String processor : PROCESSORS) {
                assertThat(owners(processor)).as(processor).containsExactlyInAnyOrderEntriesOf(Map.of("node-a", 2L, "node-b", 2L));
            }
        });
    }

    @Test
    @Order(2)
    void everyTenantsChainHoldsItsEventsInTheStoresOrderAndPositionsReachTheEnd() {
        publishRound(0);
        awaitAllProjected();
        assertChainsInStoreOrder();
    }

    @Test
    @Order(3)
    void whenOneInstanceStopsMidStreamTheOtherTakesItsSegmentsAndTheChainsStayWhole() {
        publishRound(1);
        b.close(); // releases its claims; node-a claims them at its next try
        publishRound(2);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String processor : PROCESSORS) {
                assertThat(owners(processor)).as(processor).containsExactlyEntriesOf(Map.of("node-a", 4L));
            }
        });
        publishRound(3);
        awaitAllProjected();
        assertChainsInStoreOrder();
        // 6 tenants x 4 rounds x 3 events, plus 4 providers: each once in the audit log and the read model
        assertThat(jdbc().queryForObject("SELECT count(*) FROM audit_log WHERE source = 'admin'", Long.class)).isEqualTo(76L);
        assertThat(jdbc().queryForObject("SELECT count(*) FROM rm_api_key", Long.class)).isEqualTo(24L);
        assertThat(jdbc().queryForObject("SELECT count(*) FROM rm_user", Long.class)).isEqualTo(24L);
        assertThat(jdbc().queryForList("SELECT name FROM rm_tenant ORDER BY name", String.class))
                .containsExactly("t1 r3", "t2 r3", "t3 r3", "t4 r3", "t5 r3", "t6 r3");
    }

    /** One round: per tenant (created in round 0, renamed later) a user and a key; one provider. */
    private static void publishRound(int round) {
        EventStore store = a.getBean(EventStore.class);
        Instant at = T0.plusSeconds(round * 60L);
        for (int i = 0; i < TENANTS.size(); i++) {
            String tenant = TENANTS.get(i);
            String name = "t" + (i + 1) + " r" + round;
            publish(store, "Tenant", tenant, round == 0 ? new TenantCreated(tenant, name, at) : new TenantRenamed(tenant, name, at));
        }
        for (int i = 0; i < TENANTS.size(); i++) {
            String tenant = TENANTS.get(i);
            String user = "u-" + i + "-" + round;
            publish(store, "User", user, new UserAdded(tenant, user, user + "@example.org", UserRole.Developer, at));
            String key = "k-" + i + "-" + round;
            publish(store, "ApiKey", key, new ApiKeyIssued(tenant, key, "ci", String.format("%064d", i * 10 + round),
                    "llmp_" + i + round, at));
        }
        String provider = "p-" + round;
        publish(store, "Provider", provider, new ProviderRegistered(provider, "openai-" + round, "openai",
                "http://127.0.0.1:5100/v1", "ciphertext", at));
    }

    private static void publish(EventStore store, String type, String aggregateId, Object event) {
        long sequence = sequences.merge(aggregateId, 1L, Long::sum) - 1;
        store.publish(new GenericDomainEventMessage<>(type, aggregateId, sequence, event, MetaData.with("actor", "test")));
    }

    /** The read models' lowest position over all 8 segments reaches the store's last event. */
    private static void awaitAllProjected() {
        long last = jdbc().queryForObject("SELECT max(globalindex) FROM domainevententry", Long.class);
        ProjectionPositions positions = new ProjectionPositions(jdbc(), a.getBean("serializer", Serializer.class), PROCESSORS);
        await().atMost(Duration.ofSeconds(30)).until(() -> positions.lowest() >= last);
    }

    /** Each chain's rows, by seq, name the same events as the store's tenant events in global order; all verify. */
    private static void assertChainsInStoreOrder() {
        Map<String, List<String>> stored = new TreeMap<>();
        jdbc().query("SELECT eventidentifier, payload FROM domainevententry ORDER BY globalindex", rs -> {
            String payload = new String(rs.getBytes(2), java.nio.charset.StandardCharsets.UTF_8);
            String tenant = TENANTS.stream().filter(payload::contains).findFirst().orElse("*");
            stored.computeIfAbsent(tenant, k -> new ArrayList<>()).add(rs.getString(1));
        });
        AuditChainVerifier verifier = a.getBean(AuditChainVerifier.class);
        for (Map.Entry<String, List<String>> chain : stored.entrySet()) {
            assertThat(jdbc().queryForList("SELECT event_id FROM audit_log WHERE source = 'admin' AND chain_id = ? ORDER BY seq",
                    String.class, chain.getKey())).as("chain " + chain.getKey()).containsExactlyElementsOf(chain.getValue());
            AuditChainVerifier.Verification verification = verifier.verify(chain.getKey());
            assertThat(verification.ok()).as("chain " + chain.getKey() + " " + verification.firstBroken()).isTrue();
        }
        assertThat(stored).hasSize(TENANTS.size() + 1);
    }

    private static Map<String, Long> owners(String processor) {
        Map<String, Long> owners = new TreeMap<>();
        jdbc().query("SELECT owner, count(*) FROM tokenentry WHERE processorname = ? AND owner IS NOT NULL GROUP BY owner",
                rs -> {
                    owners.put(rs.getString(1), rs.getLong(2));
                }, processor);
        return owners;
    }

    private static JdbcTemplate jdbc() {
        return a.getBean(JdbcTemplate.class);
    }
}
