package io.llmproxy.query.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.price.PriceSet;
import io.llmproxy.kernel.provider.ProviderRegistered;
import io.llmproxy.kernel.tenant.TenantCreated;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import io.llmproxy.testsupport.LocalPostgres;
import io.llmproxy.testsupport.ObservabilityRules;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The query side's metrics (issue #12) from a scrape of {@code /actuator/prometheus}, which needs the admin
 * token (401 without): the cost of two priced calls in USD micros by provider and provider model, each
 * projection's lag (0 once caught up), the audit verification result, and the usage consumer's Kafka lag.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.query.admin-token=test-admin-token",
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "spring.kafka.producer.key-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.StringSerializer"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class QueryMetricsTest {

    static final String TENANT = "c1111111-0000-4000-8000-000000000001";
    static final Instant NOV = Instant.parse("2026-11-01T00:00:00Z");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_query_metrics_it", registry::add);
    }

    @Autowired
    EventStore eventStore;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    KafkaTemplate<String, String> kafka;
    @Autowired
    JsonMapper json;
    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    String scrape() throws Exception {
        HttpResponse<String> r = get("/actuator/prometheus", "test-admin-token");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    /** @return the first sample of {@code name} whose line holds every label, or NaN when there is none */
    static double sample(String scrape, String name, String... labels) {
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= line.contains(l);
            }
            if (all) {
                Matcher m = Pattern.compile(" ([-+0-9.eE]+|NaN)$").matcher(line);
                assertThat(m.find()).as(line).isTrue();
                return Double.parseDouble(m.group(1));
            }
        }
        return Double.NaN;
    }

    static UsageRecorded usage(String id, long prompt, long completion) {
        return new UsageRecorded(id, 2, TENANT, "k1", "chat.completions", "gpt-4o", "p1", "gpt-4o", false, prompt,
                completion, prompt + completion, 20, 200, Outcome.SUCCESS, NOV.plusSeconds(3600), null, false, null, 0,
                null, null);
    }

    void publish(String aggregateId, long sequence, Object event) {
        eventStore.publish(new GenericDomainEventMessage<>(event.getClass().getSimpleName(), aggregateId, sequence, event));
    }

    @Test
    void costLagsAndAuditVerifyAreExposedBehindTheAdminToken() throws Exception {
        assertThat(get("/actuator/prometheus", null).statusCode()).isEqualTo(401);
        publish("p1", 0, new ProviderRegistered("p1", "sim", "openai", "http://127.0.0.1:5100/v1", "v1:x", NOV));
        publish(TENANT, 0, new TenantCreated(TENANT, "Acme", NOV));
        publish("p1/gpt-4o", 0, new PriceSet("p1", "gpt-4o", new BigDecimal("2.5"), new BigDecimal("10"),
                new BigDecimal("1.25"), NOV, NOV));
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject("SELECT count(*) FROM rm_price", Long.class) == 1);

        // 1000 × 2.5 + 500 × 10 = 7500 micros; 100 × 2.5 + 100 × 10 = 1250; the duplicate counts once
        for (UsageRecorded e : new UsageRecorded[] {usage("m1", 1000, 500), usage("m2", 100, 100), usage("m1", 1000, 500)}) {
            kafka.send(UsageRecorded.TOPIC, e.tenantId(), json.writeValueAsString(e)).get();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_record", Long.class) == 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> sample(scrape(), "llmproxy_billing_cost_usd_micros_total",
                "llmproxy_provider_id=\"p1\"", "gen_ai_response_model=\"gpt-4o\"") == 8750.0);

        // every projection catches up with the event store head
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String s = scrape();
            return s.contains("llmproxy_projection_lag{") && s.lines().filter(l -> l.startsWith("llmproxy_projection_lag{"))
                    .allMatch(l -> l.endsWith(" 0.0"));
        });
        assertThat(sample(scrape(), "llmproxy_projection_lag", "processor=\"admin-read-model\"")).isEqualTo(0.0);

        String before = scrape();
        assertThat(sample(before, "llmproxy_audit_verify_ok")).isNaN();
        assertThat(sample(before, "llmproxy_audit_verify_last_seconds")).isEqualTo(0.0);
        HttpResponse<String> verified = get("/audit/v1/verify?tenantId=" + TENANT, "test-admin-token");
        assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
        assertThat(json.readTree(verified.body()).get("ok").asBoolean()).isTrue();
        String after = scrape();
        assertThat(sample(after, "llmproxy_audit_verify_ok")).isEqualTo(1.0);
        assertThat(sample(after, "llmproxy_audit_verify_last_seconds"))
                .isBetween(Instant.now().getEpochSecond() - 60.0, Instant.now().getEpochSecond() + 1.0);

        // Kafka's own consumer metrics, bound to the registry by Spring Boot (Micrometer's KafkaClientMetrics)
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(scrape().lines()
                .filter(l -> l.startsWith("kafka_consumer_fetch_manager_records_lag_max{")).toList()).isNotEmpty());
        // the per-partition lag of the usage topic (Kafka writes the topic's dots as underscores) appears once the
        // consumer has fetched records of the partition and Micrometer looks for new Kafka metrics again (every
        // 60 s): all read. Kafka drops a partition's lag metric when a rebalance takes the partition away, and makes
        // it again only with the next records fetched; the three consumers' late joins can rebalance after the
        // events above were read (a CI run lost the metric that way), so the duplicate of m1 (counted once, by
        // event id) is sent again every 5 s while the metric is missing
        long[] lastSent = {0};
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            List<String> lag = scrape().lines()
                    .filter(l -> l.startsWith("kafka_consumer_fetch_manager_records_lag{") && l.contains("usage")).toList();
            if (lag.isEmpty() && System.nanoTime() - lastSent[0] > 5_000_000_000L) {
                lastSent[0] = System.nanoTime();
                kafka.send(UsageRecorded.TOPIC, TENANT, json.writeValueAsString(usage("m1", 1000, 500))).get();
            }
            assertThat(lag).isNotEmpty().allMatch(l -> l.endsWith(" 0.0"));
        });
        assertThat(jdbc.queryForObject("SELECT count(*) FROM usage_record", Long.class)).isEqualTo(2);
        // every query-side series the alert and recording rules and the dashboard read exists after this short load
        assertThat(ObservabilityRules.exposed(scrape())).containsAll(ObservabilityRules.querySideSeries());
    }
}
