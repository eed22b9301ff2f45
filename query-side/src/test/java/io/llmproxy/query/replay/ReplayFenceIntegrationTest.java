package io.llmproxy.query.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llmproxy.adminweb.security.RoleAssignmentAuthorities;
import io.llmproxy.kernel.access.Role;
import io.llmproxy.kernel.access.RoleAssigned;
import io.llmproxy.kernel.access.RoleAssignmentRemoved;
import io.llmproxy.kernel.price.PriceSet;
import io.llmproxy.kernel.provider.ProviderRegistered;
import io.llmproxy.kernel.tenant.TenantCreated;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import io.llmproxy.projection.admin.AdminReadModelProjection;
import io.llmproxy.projection.usage.PricesReplaying;
import io.llmproxy.projection.usage.UsageProjection;
import io.llmproxy.testsupport.LocalPostgres;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.ReplayStatus;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * A replay of {@code admin-read-model} rebuilds its tables event by event, so half-way they hold an
 * old state of the world. Here the rebuild is held at a barrier event between a PlatformAdmin's
 * assignment and its removal, and between a price and the price that superseded it: the table
 * shows mallory a PlatformAdmin again and only the old price. Nobody may act on that
 * ({@link io.llmproxy.kernel.replay.ReplayFence}): the admin apps give Keycloak principals no
 * authority, the usage consumer prices nothing (a usage event sent meanwhile is billed at the right
 * price once the replay has passed its reset point), and after the replay everything is as before.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.query.admin-token=test-admin-token",
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "spring.kafka.producer.key-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "llmproxy.query.replay.poll-interval=100ms"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
@Import(ReplayFenceIntegrationTest.BarrierConfiguration.class)
class ReplayFenceIntegrationTest {

    static final Instant NOV = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant MID_NOV = Instant.parse("2026-11-15T00:00:00Z");
    static final String TENANT = "7c1d5b0e-0000-4000-8000-0000000000fe";

    /** An event of no tenant (the platform's sequence, like role assignments and prices) that the test handler stops at. */
    public record ReplayBarrier(String name) {
    }

    /** A handler in the admin read model's group: during a replay it waits at {@link ReplayBarrier} until released. */
    @ProcessingGroup(AdminReadModelProjection.NAME)
    public static class Barrier {
        static final CountDownLatch REACHED = new CountDownLatch(1);
        static final CountDownLatch RELEASE = new CountDownLatch(1);

        @EventHandler
        void on(ReplayBarrier e, ReplayStatus status) throws InterruptedException {
            if (status.isReplay()) {
                REACHED.countDown();
                RELEASE.await(60, TimeUnit.SECONDS);
            }
        }
    }

    @TestConfiguration
    static class BarrierConfiguration {
        @Bean
        Barrier replayBarrier() {
            return new Barrier();
        }
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_replay_fence", registry::add);
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    EventStore eventStore;
    @Autowired
    UsageProjection usage;
    @Autowired
    KafkaTemplate<String, String> kafka;
    @Autowired
    JsonMapper json;

    @Test
    void nothingIsDecidedFromAHalfRebuiltAdminReadModel() throws Exception {
        RoleAssignmentAuthorities authorities = new RoleAssignmentAuthorities(jdbc);
        publish("p1", 0, new ProviderRegistered("p1", "sim", "openai", "http://127.0.0.1:5100/v1", "v1:x", NOV));
        publish(TENANT, 0, new TenantCreated(TENANT, "Acme", NOV));
        publish("p1/gpt-4o", 0, price("2.5", "10", NOV));
        publish("a-root", 0, new RoleAssigned(null, "a-root", "root@example.org", Role.PlatformAdmin, NOV));
        publish("a-mallory", 0, new RoleAssigned(null, "a-mallory", "mallory@example.org", Role.PlatformAdmin, NOV));
        publish("barrier", 0, new ReplayBarrier("between the assignment and its removal, the old and the new price"));
        publish("a-mallory", 1, new RoleAssignmentRemoved(null, "a-mallory", "mallory@example.org", Role.PlatformAdmin,
                NOV.plusSeconds(60)));
        publish("p1/gpt-4o", 1, price("3", "12", MID_NOV));
        await().atMost(Duration.ofSeconds(30)).until(() -> count("rm_price") == 2
                && count("rm_role_assignment WHERE valid_to IS NOT NULL") == 1);
        assertThat(authorities.of("mallory@example.org")).isEmpty();
        assertThat(names(authorities.of("root@example.org"))).containsExactly("ROLE_PlatformAdmin");

        HttpResponse<String> replay = post("/admin/v1/projections/admin-read-model/replay");
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(202);
        assertThat(Barrier.REACHED.await(60, TimeUnit.SECONDS)).as("the rebuild reached the barrier").isTrue();
        try {
            // the half-rebuilt tables: mallory's removed assignment is in force again, the newer price is missing
            assertThat(count("rm_role_assignment WHERE principal = 'mallory@example.org' AND valid_to IS NULL")).isEqualTo(1);
            assertThat(count("rm_price")).isEqualTo(1);
            assertThat(count("projection_segment_position WHERE processor = 'admin-read-model' AND replaying")).isPositive();
            // … and nobody acts on them
            assertThat(authorities.of("mallory@example.org")).isEmpty();
            assertThat(authorities.of("root@example.org")).isEmpty();
            assertThatThrownBy(() -> usage.apply(usage("direct"), null)).isInstanceOf(PricesReplaying.class);
            kafka.send(UsageRecorded.TOPIC, TENANT, json.writeValueAsString(usage("via-kafka"))).get();
            Thread.sleep(3000);
            assertThat(count("usage_record")).as("usage priced during the replay").isZero();
        } finally {
            Barrier.RELEASE.countDown();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> count("projection_segment_position "
                + "WHERE processor = 'admin-read-model' AND replaying") == 0 && count("rm_price") == 2);
        assertThat(count("projection_segment_position WHERE processor = 'admin-read-model' AND position < 0")).isZero();
        assertThat(authorities.of("mallory@example.org")).isEmpty();
        assertThat(names(authorities.of("root@example.org"))).containsExactly("ROLE_PlatformAdmin");
        // 1000 × 3 + 500 × 12 = 9000 µUSD at the price in force on the 20th; 7500 at the superseded one
        await().atMost(Duration.ofSeconds(60)).until(() -> count("usage_record") == 1);
        assertThat(jdbc.queryForObject("SELECT cost_micros FROM usage_record WHERE event_id = 'via-kafka'", Long.class))
                .isEqualTo(9000L);
        assertThat(usage.apply(usage("direct"), null)).isTrue();
        assertThat(jdbc.queryForObject("SELECT cost_micros FROM usage_record WHERE event_id = 'direct'", Long.class))
                .isEqualTo(9000L);
        assertThat(count("usage_record WHERE unpriced")).isZero();
    }

    static PriceSet price(String input, String output, Instant from) {
        return new PriceSet("p1", "gpt-4o", new BigDecimal(input), new BigDecimal(output), new BigDecimal(input), from, from);
    }

    static UsageRecorded usage(String id) {
        return new UsageRecorded(id, 2, TENANT, "k1", "chat.completions", "gpt-4o", "p1", "gpt-4o", false, 1000, 500, 1500,
                20, 200, Outcome.SUCCESS, Instant.parse("2026-11-20T10:00:00Z"), null, false, null, 0, null, null);
    }

    static java.util.List<String> names(java.util.List<org.springframework.security.core.GrantedAuthority> authorities) {
        return authorities.stream().map(org.springframework.security.core.GrantedAuthority::getAuthority).toList();
    }

    HttpResponse<String> post(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer test-admin-token").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    void publish(String aggregateId, long sequence, Object event) {
        eventStore.publish(new GenericDomainEventMessage<>(event.getClass().getSimpleName(), aggregateId, sequence, event));
    }

    long count(String tableAndCondition) {
        return jdbc.queryForObject("SELECT count(*) FROM " + tableAndCondition, Long.class);
    }
}
