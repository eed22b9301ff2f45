package io.llmproxy.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.apikey.ApiKeyIssued;
import io.llmproxy.kernel.apikey.ApiKeyRevoked;
import io.llmproxy.kernel.apikey.ApiKeyRotated;
import io.llmproxy.kernel.quota.QuotaLimits;
import io.llmproxy.kernel.quota.QuotaPolicySet;
import io.llmproxy.kernel.quota.QuotaScope;
import io.llmproxy.kernel.tenant.TenantRenamed;
import io.llmproxy.kernel.tenant.TenantSuspended;
import io.llmproxy.kernel.user.UserAdded;
import io.llmproxy.kernel.user.UserRole;
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
        LocalPostgres.springDataSource("llmproxy_query_it", registry::add);
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
        // issue #4 events
        publish(TENANT, 4, new TenantSuspended(TENANT, T0.plusSeconds(10)));
        publish(TENANT, 5, new UserAdded(TENANT, "u1", "ada@example.org", UserRole.Developer, T0.plusSeconds(11)));
        publish(TENANT, 6, new ApiKeyRotated(TENANT, "k2", "d".repeat(64), "llmp_dddddd", "b".repeat(64),
                T0.plusSeconds(3612), T0.plusSeconds(12)));
        publish(TENANT, 7, new QuotaPolicySet(TENANT, QuotaScope.API_KEY, "k2",
                new QuotaLimits(60L, null, 1000L, null, null, 2L, "5.00", null), T0.plusSeconds(13)));
        publish(TENANT, 8, new QuotaPolicySet(TENANT, QuotaScope.API_KEY, "k2",
                new QuotaLimits(10L, null, null, null, null, null, null, null), T0.plusSeconds(20)));
        publish(TENANT + "/private", 0, new RouteDefined("private", List.of(new RouteTarget("p1", "sim-p")),
                T0.plusSeconds(14), TENANT));
        publish(OTHER_TENANT, 1, new UserAdded(OTHER_TENANT, "u2", "bob@example.org", UserRole.Reader, T0));
        // a NUL that PostgreSQL cannot store (from an event written before input validation) must not stop the projection
        publish(OTHER_TENANT, 2, new TenantRenamed(OTHER_TENANT, "Oth\u0000er", T0.plusSeconds(1)));
        // events stored by revision 1 of ApiKeyIssued and RouteDefined (no owner/allow-list/expiry, no tenant)
        storeRevision1("legacy-tenant", 0, "TenantCreated", "io.llmproxy.kernel.tenant.TenantCreated", "TenantCreated-rev1.json");
        storeRevision1("legacy-tenant", 1, "ApiKeyIssued", "io.llmproxy.kernel.apikey.ApiKeyIssued", "ApiKeyIssued-rev1.json");
        storeRevision1("legacy-model", 0, "RouteDefined", "io.llmproxy.kernel.route.RouteDefined", "RouteDefined-rev1.json");

        await().atMost(Duration.ofSeconds(20)).until(() -> count("audit_log") == 19 && count("rm_route") == 3
                && "REVOKED".equals(jdbc.queryForObject("SELECT status FROM rm_api_key WHERE api_key_id='k1'", String.class)));
        assertThat(jdbc.queryForObject("SELECT targets::text FROM rm_route WHERE route_id = 'gpt-4o-mini'", String.class))
                .contains("sim-b");
        assertThat(jdbc.queryForMap("SELECT tenant_id, model FROM rm_route WHERE route_id = ?", TENANT + "/private"))
                .isEqualTo(Map.of("tenant_id", TENANT, "model", "private"));
        assertThat(jdbc.queryForMap("SELECT tenant_id, model FROM rm_route WHERE route_id = 'legacy-model'"))
                .containsEntry("model", "legacy-model").containsEntry("tenant_id", null);
        assertThat(jdbc.queryForMap("SELECT status, owner_user_id, allowed_models, expires_at FROM rm_api_key WHERE api_key_id = 'legacy-key'"))
                .containsEntry("status", "ACTIVE").containsEntry("owner_user_id", null).containsEntry("allowed_models", null)
                .containsEntry("expires_at", null);
        assertThat(jdbc.queryForObject("SELECT status FROM rm_tenant WHERE tenant_id = ?", String.class, TENANT)).isEqualTo("SUSPENDED");
        assertThat(jdbc.queryForMap("SELECT key_hash, previous_key_hash FROM rm_api_key WHERE api_key_id = 'k2'"))
                .isEqualTo(Map.of("key_hash", "d".repeat(64), "previous_key_hash", "b".repeat(64)));
        assertThat(jdbc.queryForList("SELECT api_key_id, status FROM rm_api_key ORDER BY api_key_id"))
                .containsExactly(Map.of("api_key_id", "k1", "status", "REVOKED"), Map.of("api_key_id", "k2", "status", "ACTIVE"),
                        Map.of("api_key_id", "legacy-key", "status", "ACTIVE"));

        Map<String, List<Map<String, Object>>> before = snapshot();
        jdbc.update("UPDATE rm_api_key SET name = 'tampered', status = 'ACTIVE'");
        jdbc.update("DELETE FROM rm_route");
        jdbc.update("DELETE FROM rm_role_assignment");
        jdbc.update("DELETE FROM audit_log WHERE event_type = 'TenantCreated'");

        HttpResponse<String> replay = post("/admin/v1/projections/admin-read-model/replay");
        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(post("/admin/v1/projections/audit-admin/replay").statusCode()).isEqualTo(202);
        assertThat(post("/admin/v1/projections/nope/replay").statusCode()).isEqualTo(404);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(snapshot()).isEqualTo(before));
        assertThat(before.get("rm_api_key")).hasSize(3);
        assertThat(before.get("rm_user")).hasSize(2);
        assertThat(before.get("rm_role_assignment")).hasSize(3); // u1 Developer; u2 Reader → FinanceReader, Auditor
        assertThat(before.get("rm_quota_policy")).hasSize(1);
        assertThat(before.get("audit_log")).hasSize(19);
        assertThat(jdbc.queryForObject("SELECT name FROM rm_tenant WHERE tenant_id = ?", String.class, OTHER_TENANT))
                .isEqualTo("Oth\uFFFDer");
        assertThat(before.get("rm_quota_policy_history")).hasSize(2);
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
        UsageRecorded nul = usage(UUID.randomUUID().toString(), "evil\u0000model", 2, 3, T0.plusSeconds(62));
        kafka.send(UsageRecorded.TOPIC, TENANT, json.writeValueAsString(nul)).get();
        UsageRecorded marker = usage(UUID.randomUUID().toString(), "marker", 1, 1, T0.plusSeconds(63));
        kafka.send(UsageRecorded.TOPIC, TENANT, json.writeValueAsString(marker)).get();

        await().atMost(Duration.ofSeconds(30)).until(() -> count("usage_record") == 5);
        Thread.sleep(500);
        assertThat(count("usage_record")).isEqualTo(5);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_log WHERE source = 'usage'", Long.class)).isEqualTo(5);

        JsonNode usage = getJson("/finance/v1/usage?tenantId=" + TENANT + "&from=2026-11-29T00:00:00Z&to=2026-11-30T00:00:00Z&groupBy=model");
        assertThat(usage.get("items").toString()).isEqualTo(
                "[{\"model\":\"evil\uFFFDmodel\",\"requests\":1,\"promptTokens\":2,\"cachedPromptTokens\":0,\"completionTokens\":3,\"totalTokens\":5,\"costMicros\":0,\"unpricedRequests\":1,\"errors\":0,\"costComplete\":false},"
                        + "{\"model\":\"gpt-4o\",\"requests\":1,\"promptTokens\":100,\"cachedPromptTokens\":0,\"completionTokens\":1,\"totalTokens\":101,\"costMicros\":0,\"unpricedRequests\":1,\"errors\":0,\"costComplete\":false},"
                        + "{\"model\":\"gpt-4o-mini\",\"requests\":2,\"promptTokens\":19,\"cachedPromptTokens\":0,\"completionTokens\":35,\"totalTokens\":54,\"costMicros\":0,\"unpricedRequests\":2,\"errors\":0,\"costComplete\":false},"
                        + "{\"model\":\"marker\",\"requests\":1,\"promptTokens\":1,\"cachedPromptTokens\":0,\"completionTokens\":1,\"totalTokens\":2,\"costMicros\":0,\"unpricedRequests\":1,\"errors\":0,\"costComplete\":false}]");
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
                "TenantSuspended", "UserAdded", "ApiKeyRotated", "QuotaPolicySet", "RouteDefined", "QuotaPolicySet",
                "UsageRecorded", "UsageRecorded", "UsageRecorded", "UsageRecorded", "UsageRecorded");
        assertThat(audit.toString()).doesNotContain("aaaaaaaaaaaaaaaa").doesNotContain("keyHash").doesNotContain("cipher");
        assertThat(getJson("/audit/v1/events?tenantId=" + OTHER_TENANT).get("items").size()).isEqualTo(3);
        assertThat(audit.toString()).doesNotContain("dddddddddddddddd").doesNotContain("bbbbbbbbbbbbbbbb");

        // tenant isolation: nothing of the other tenant in any tenant-scoped read, and vice versa
        JsonNode tenant = getJson("/admin/v1/tenants/" + TENANT);
        assertThat(tenant.get("status").asString()).isEqualTo("SUSPENDED");
        JsonNode users = getJson("/admin/v1/tenants/" + TENANT + "/users");
        assertThat(users.get("items").valueStream().map(u -> u.get("email").asString()).toList()).containsExactly("ada@example.org");
        JsonNode quotas = getJson("/admin/v1/tenants/" + TENANT + "/quota-policies");
        assertThat(quotas.get("items").get(0).get("limits").get("requestsPerMinute").asLong()).isEqualTo(10);
        assertThat(quotas.get("items").get(0).get("subjectId").asString()).isEqualTo("k2");
        JsonNode asOf = getJson("/admin/v1/tenants/" + TENANT + "/quota-policies?asOf=" + T0.plusSeconds(15));
        assertThat(asOf.get("items").get(0).get("limits").get("tokensPerMinute").asLong()).isEqualTo(1000);
        assertThat(asOf.get("items").get(0).get("limits").get("requestsPerMinute").asLong()).isEqualTo(60);
        assertThat(getJson("/admin/v1/tenants/" + TENANT + "/quota-policies?asOf=" + T0).get("items").size()).isZero();
        assertThat(get("/admin/v1/tenants/" + TENANT + "/quota-policies?asOf=noon", "test-admin-token").statusCode()).isEqualTo(400);
        JsonNode rotated = keys.get("items").get(1);
        assertThat(rotated.get("displayPrefix").asString()).isEqualTo("llmp_dddddd");
        assertThat(rotated.get("previousKeyValidUntil").asString()).isEqualTo(T0.plusSeconds(3612).toString());
        for (String path : List.of("/admin/v1/tenants/%s/api-keys", "/admin/v1/tenants/%s/users",
                "/admin/v1/tenants/%s/quota-policies", "/audit/v1/events?tenantId=%s",
                "/finance/v1/usage?tenantId=%s&groupBy=model")) {
            String other = getJson(path.formatted(OTHER_TENANT)).toString();
            assertThat(other).as(path).doesNotContain(TENANT).doesNotContain("k1").doesNotContain("ada@example.org")
                    .doesNotContain("gpt-4o-mini");
            String mine = getJson(path.formatted(TENANT)).toString();
            assertThat(mine).as(path).doesNotContain(OTHER_TENANT).doesNotContain("bob@example.org");
        }

        assertThat(get("/admin/v1/tenants/unknown/api-keys", "test-admin-token").statusCode()).isEqualTo(404);
        HttpResponse<String> badFrom = get("/finance/v1/usage?tenantId=" + TENANT + "&from=yesterday", "test-admin-token");
        assertThat(badFrom.statusCode()).isEqualTo(400);
        assertThat(json.readTree(badFrom.body()).get("field").asString()).isEqualTo("from");
        assertThat(get("/finance/v1/usage?tenantId=" + TENANT + "&from=-999999999-01-01T00:00:00Z", "test-admin-token")
                .statusCode()).isEqualTo(400);
        assertThat(get("/admin/v1/tenants/" + TENANT + "/quota-policies?asOf=-999999999-01-01T00:00:00Z", "test-admin-token")
                .statusCode()).isEqualTo(400);
        assertThat(get("/finance/v1/usage?tenantId=" + TENANT, "wrong").statusCode()).isEqualTo(401);
        assertThat(get("/audit/v1/events?tenantId=" + TENANT, null).statusCode()).isEqualTo(401);
    }

    private void publish(String aggregateId, long sequence, Object event) {
        eventStore.publish(new GenericDomainEventMessage<>(event.getClass().getSimpleName(), aggregateId, sequence, event));
    }

    private void storeRevision1(String aggregateId, long sequence, String type, String payloadType, String file)
            throws Exception {
        byte[] payload = new org.springframework.core.io.ClassPathResource("stored-events/" + file).getInputStream().readAllBytes();
        jdbc.update("""
                INSERT INTO domainevententry (eventidentifier, aggregateidentifier, sequencenumber, type, timestamp,
                    payloadtype, payloadrevision, payload, metadata) VALUES (?, ?, ?, ?, ?, ?, '1', ?, ?)""",
                UUID.randomUUID().toString(), aggregateId, sequence, type, T0.toString(), payloadType, payload,
                "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private UsageRecorded usage(String id, String model, long prompt, long completion, Instant at) {
        return new UsageRecorded(id, 1, TENANT, "k2", "chat.completions", model, "p1", "sim-b", false, prompt, completion,
                prompt + completion, 12, 200, UsageRecorded.Outcome.SUCCESS, at, null, false, null, 0, null, null);
    }

    private long count(String table) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class);
    }

    private Map<String, List<Map<String, Object>>> snapshot() {
        return Map.of(
                "rm_tenant", jdbc.queryForList("SELECT * FROM rm_tenant ORDER BY tenant_id"),
                "rm_api_key", jdbc.queryForList("SELECT api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, "
                        + "revoked_at, change_index, owner_user_id, allowed_models::text, expires_at, previous_key_hash, "
                        + "previous_valid_until, rotated_at FROM rm_api_key ORDER BY api_key_id"),
                "rm_provider", jdbc.queryForList("SELECT * FROM rm_provider ORDER BY provider_id"),
                "rm_route", jdbc.queryForList("SELECT route_id, tenant_id, model, targets::text, updated_at, change_index FROM rm_route ORDER BY route_id"),
                "rm_user", jdbc.queryForList("SELECT * FROM rm_user ORDER BY user_id"),
                "rm_role_assignment", jdbc.queryForList("SELECT * FROM rm_role_assignment ORDER BY from_index, role"),
                "rm_quota_policy_history", jdbc.queryForList("SELECT scope, subject_id, tenant_id, limits::text, effective_at, "
                        + "change_index FROM rm_quota_policy_history ORDER BY change_index"),
                "rm_quota_policy", jdbc.queryForList("SELECT scope, subject_id, tenant_id, limits::text, updated_at, change_index "
                        + "FROM rm_quota_policy ORDER BY scope, subject_id"),
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
