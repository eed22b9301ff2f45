package io.llmproxy.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.apikey.ApiKeyIssued;
import io.llmproxy.kernel.apikey.ApiKeyRevoked;
import io.llmproxy.kernel.provider.ProviderRegistered;
import io.llmproxy.kernel.route.RouteDefined;
import io.llmproxy.kernel.route.RouteTarget;
import io.llmproxy.kernel.tenant.TenantCreated;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Query-side on the real PostgreSQL and an embedded KRaft Kafka broker: projections from the
 * event store, replay from zero, the usage consumer under redelivery, and the read endpoints.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.query.admin-token=test-admin-token",
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "spring.kafka.producer.key-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.StringSerializer"})
@EmbeddedKafka(partitions = 3, topics = UsageRecorded.TOPIC)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuerySideIntegrationTest {

    private static final String TENANT = "7c1d5b0e-0000-4000-8000-000000000001";
    private static final String OTHER_TENANT = "7c1d5b0e-0000-4000-8000-000000000002";
    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        String url = LocalPostgres.freshDatabase("llmproxy_query_it");
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
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

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    @Order(1)
    void projectionsBuildReadModelsAndReplayRebuildsIdenticalRows() throws Exception {
        publish(TENANT, 0, new TenantCreated(TENANT, "Acme", T0));
        publish(TENANT, 1, new ApiKeyIssued(TENANT, "k1", "ci", "a".repeat(64), "llmp_aaaaaa", T0.plusSeconds(1)));
        publish(TENANT, 2, new ApiKeyIssued(TENANT, "k2", "dev", "b".repeat(64), "llmp_bbbbbb", T0.plusSeconds(2)));
        publish(TENANT, 3, new ApiKeyRevoked(TENANT, "k1", T0.plusSeconds(3)));
        publish("p1", 0, new ProviderRegistered("p1", "sim", "openai", "http://127.0.0.1:5100/v1", "v1:cipher", T0));
        publish("gpt-4o-mini", 0, new RouteDefined("gpt-4o-mini", List.of(new RouteTarget("p1", "sim-a")), T0));
        publish("gpt-4o-mini", 1, new RouteDefined("gpt-4o-mini", List.of(new RouteTarget("p1", "sim-b")), T0.plusSeconds(5)));
        publish(OTHER_TENANT, 0, new TenantCreated(OTHER_TENANT, "Other", T0));

        await().atMost(Duration.ofSeconds(20)).until(() -> count("audit_log") == 8 && count("rm_route") == 1
                && "REVOKED".equals(jdbc.queryForObject("SELECT status FROM rm_api_key WHERE api_key_id='k1'", String.class)));
        assertThat(jdbc.queryForObject("SELECT targets::text FROM rm_route", String.class)).contains("sim-b");
        assertThat(jdbc.queryForList("SELECT api_key_id, status FROM rm_api_key ORDER BY api_key_id"))
                .containsExactly(Map.of("api_key_id", "k1", "status", "REVOKED"), Map.of("api_key_id", "k2", "status", "ACTIVE"));

        Map<String, List<Map<String, Object>>> before = snapshot();
        jdbc.update("UPDATE rm_api_key SET name = 'tampered', status = 'ACTIVE'");
        jdbc.update("DELETE FROM rm_route");
        jdbc.update("DELETE FROM audit_log WHERE event_type = 'TenantCreated'");

        HttpResponse<String> replay = post("/admin/v1/projections/admin-read-model/replay");
        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(post("/admin/v1/projections/audit-admin/replay").statusCode()).isEqualTo(202);
        assertThat(post("/admin/v1/projections/nope/replay").statusCode()).isEqualTo(404);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(snapshot()).isEqualTo(before));
        assertThat(before.get("rm_api_key")).hasSize(2);
        assertThat(before.get("audit_log")).hasSize(8);
    }

    @Test
    @Order(2)
    void redeliveredUsageEventsAreCountedOnce() throws Exception {
        UsageRecorded first = usage(UUID.randomUUID().toString(), "gpt-4o-mini", 12, 30, T0.plusSeconds(60));
        UsageRecorded second = usage(UUID.randomUUID().toString(), "gpt-4o-mini", 7, 5, T0.plusSeconds(61));
        UsageRecorded other = usage(UUID.randomUUID().toString(), "gpt-4o", 100, 1, T0.plusSeconds(62));
        for (UsageRecorded e : List.of(first, second, first, other, first, second)) {
            kafka.send(UsageRecorded.TOPIC, e.tenantId(), json.writeValueAsString(e)).get();
        }
        kafka.send(UsageRecorded.TOPIC, TENANT, "{not json").get();
        UsageRecorded marker = usage(UUID.randomUUID().toString(), "marker", 1, 1, T0.plusSeconds(63));
        kafka.send(UsageRecorded.TOPIC, TENANT, json.writeValueAsString(marker)).get();

        await().atMost(Duration.ofSeconds(30)).until(() -> count("usage_record") == 4);
        Thread.sleep(500);
        assertThat(count("usage_record")).isEqualTo(4);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_log WHERE source = 'usage'", Long.class)).isEqualTo(4);

        JsonNode usage = getJson("/finance/v1/usage?tenantId=" + TENANT + "&from=2026-11-29T00:00:00Z&to=2026-11-30T00:00:00Z&groupBy=model");
        assertThat(usage.get("items").toString()).isEqualTo(
                "[{\"model\":\"gpt-4o\",\"requests\":1,\"promptTokens\":100,\"completionTokens\":1,\"totalTokens\":101},"
                        + "{\"model\":\"gpt-4o-mini\",\"requests\":2,\"promptTokens\":19,\"completionTokens\":35,\"totalTokens\":54},"
                        + "{\"model\":\"marker\",\"requests\":1,\"promptTokens\":1,\"completionTokens\":1,\"totalTokens\":2}]");
        JsonNode outside = getJson("/finance/v1/usage?tenantId=" + TENANT + "&from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z&groupBy=model");
        assertThat(outside.get("items").size()).isZero();
    }

    @Test
    @Order(3)
    void readEndpointsShowKeysWithoutSecretsAndTheAuditInOrder() throws Exception {
        JsonNode keys = getJson("/admin/v1/tenants/" + TENANT + "/api-keys");
        assertThat(keys.get("items").size()).isEqualTo(2);
        assertThat(keys.get("items").get(0).get("apiKeyId").asString()).isEqualTo("k1");
        assertThat(keys.get("items").get(0).get("status").asString()).isEqualTo("REVOKED");
        assertThat(keys.get("items").get(0).get("displayPrefix").asString()).isEqualTo("llmp_aaaaaa");
        assertThat(keys.toString()).doesNotContain("aaaaaaaaaaaaaaaa").doesNotContain("keyHash");

        JsonNode audit = getJson("/audit/v1/events?tenantId=" + TENANT);
        List<String> types = audit.get("items").valueStream().map(n -> n.get("eventType").asString()).toList();
        assertThat(types).containsExactly("TenantCreated", "ApiKeyIssued", "ApiKeyIssued", "ApiKeyRevoked",
                "UsageRecorded", "UsageRecorded", "UsageRecorded", "UsageRecorded");
        assertThat(audit.toString()).doesNotContain("aaaaaaaaaaaaaaaa").doesNotContain("keyHash").doesNotContain("cipher");
        assertThat(getJson("/audit/v1/events?tenantId=" + OTHER_TENANT).get("items").size()).isEqualTo(1);

        assertThat(get("/admin/v1/tenants/unknown/api-keys", "test-admin-token").statusCode()).isEqualTo(404);
        HttpResponse<String> badFrom = get("/finance/v1/usage?tenantId=" + TENANT + "&from=yesterday", "test-admin-token");
        assertThat(badFrom.statusCode()).isEqualTo(400);
        assertThat(json.readTree(badFrom.body()).get("field").asString()).isEqualTo("from");
        assertThat(get("/finance/v1/usage?tenantId=" + TENANT, "wrong").statusCode()).isEqualTo(401);
        assertThat(get("/audit/v1/events?tenantId=" + TENANT, null).statusCode()).isEqualTo(401);
    }

    private void publish(String aggregateId, long sequence, Object event) {
        eventStore.publish(new GenericDomainEventMessage<>(event.getClass().getSimpleName(), aggregateId, sequence, event));
    }

    private UsageRecorded usage(String id, String model, long prompt, long completion, Instant at) {
        return new UsageRecorded(id, 1, TENANT, "k2", "chat.completions", model, "p1", "sim-b", false, prompt, completion,
                prompt + completion, 12, 200, UsageRecorded.Outcome.SUCCESS, at, null);
    }

    private long count(String table) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class);
    }

    private Map<String, List<Map<String, Object>>> snapshot() {
        return Map.of(
                "rm_tenant", jdbc.queryForList("SELECT * FROM rm_tenant ORDER BY tenant_id"),
                "rm_api_key", jdbc.queryForList("SELECT * FROM rm_api_key ORDER BY api_key_id"),
                "rm_provider", jdbc.queryForList("SELECT * FROM rm_provider ORDER BY provider_id"),
                "rm_route", jdbc.queryForList("SELECT model, targets::text, updated_at, change_index FROM rm_route ORDER BY model"),
                "audit_log", jdbc.queryForList("SELECT event_id, tenant_id, source, event_type, occurred_at, payload::text "
                        + "FROM audit_log WHERE source = 'admin' ORDER BY event_id"));
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer test-admin-token")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = get(path, "test-admin-token");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
