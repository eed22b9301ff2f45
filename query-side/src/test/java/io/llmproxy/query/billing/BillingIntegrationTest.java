package io.llmproxy.query.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.price.PriceSet;
import io.llmproxy.kernel.provider.ProviderRegistered;
import io.llmproxy.kernel.tenant.TenantCreated;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import io.llmproxy.testsupport.LocalPostgres;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Prices from the event store, cost of usage events from the real Kafka consumer on the real
 * PostgreSQL: a price change mid-month, an unpriced model, a refused call, the statement, the
 * usage query (JSON and CSV), reconciliation (also of a tampered row) and the billing replay.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.query.admin-token=test-admin-token",
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "spring.kafka.producer.key-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.StringSerializer"})
@EmbeddedKafka(partitions = 3, topics = UsageRecorded.TOPIC)
class BillingIntegrationTest {

    static final String TENANT = "b1111111-0000-4000-8000-000000000001";
    static final Instant NOV = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant MID_NOV = Instant.parse("2026-11-15T00:00:00Z");

    /** Checksum of each table, in primary-key (or unique-key) order. */
    static final Map<String, String> CHECKSUMS = Map.of(
            "billing_daily", "SELECT md5(string_agg(b::text, '|' ORDER BY tenant_id, day, user_id, api_key_id, model, provider_id, provider_model)) FROM billing_daily b",
            "usage_record", "SELECT md5(string_agg(u::text, '|' ORDER BY event_id)) FROM usage_record u",
            "rm_price", "SELECT md5(string_agg(p::text, '|' ORDER BY provider_id, model, effective_from)) FROM rm_price p");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_billing_it", registry::add);
    }

    @Autowired
    EventStore eventStore;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    KafkaTemplate<String, String> kafka;
    @Autowired
    JsonMapper json;
    @Autowired
    org.springframework.kafka.config.KafkaListenerEndpointRegistry listeners;
    @Autowired
    org.springframework.kafka.listener.CommonErrorHandler usageErrorHandler;
    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    static UsageRecorded usage(String id, String userId, String model, String providerId, String providerModel,
                               long prompt, long cached, long completion, Outcome outcome, int status, Instant at) {
        return new UsageRecorded(id, 2, TENANT, "k1", "chat.completions", model, providerId, providerModel, false, prompt,
                completion, prompt + completion, 20, status, outcome, at, null, false, userId, cached, null, null);
    }

    @Test
    void priceChangeMidMonthUnpricedModelStatementCsvReconciliationAndReplay() throws Exception {
        publish("p1", 0, new ProviderRegistered("p1", "sim", "openai", "http://127.0.0.1:5100/v1", "v1:x", NOV));
        publish(TENANT, 0, new TenantCreated(TENANT, "Acme", NOV));
        publish("p1/gpt-4o", 0, new PriceSet("p1", "gpt-4o", new BigDecimal("2.5"), new BigDecimal("10"),
                new BigDecimal("1.25"), NOV, NOV));
        publish("p1/gpt-4o", 1, new PriceSet("p1", "gpt-4o", new BigDecimal("3"), new BigDecimal("12"),
                new BigDecimal("1.5"), MID_NOV, NOV.plusSeconds(60)));
        await().atMost(Duration.ofSeconds(20)).until(() -> count("rm_price") == 2 && count("rm_tenant") == 1);

        UsageRecorded beforeChange = usage("e1", "u1", "gpt-4o", "p1", "gpt-4o", 1000, 200, 500, Outcome.SUCCESS, 200,
                MID_NOV.minusSeconds(1));
        UsageRecorded afterChange = usage("e2", "u2", "gpt-4o", "p1", "gpt-4o", 1000, 200, 500, Outcome.SUCCESS, 200, MID_NOV);
        UsageRecorded unpriced = usage("e3", "u1", "mystery", "p1", "mystery", 10, 0, 10, Outcome.SUCCESS, 200,
                Instant.parse("2026-11-20T08:00:00Z"));
        UsageRecorded refused = usage("e4", "u1", "gpt-4o", null, null, 0, 0, 0, Outcome.CLIENT_ERROR, 403,
                Instant.parse("2026-11-20T09:00:00Z"));
        UsageRecorded beforeAnyPrice = usage("e5", "u1", "gpt-4o", "p1", "gpt-4o", 100, 0, 100, Outcome.SUCCESS, 200,
                Instant.parse("2026-10-31T23:00:00Z"));
        // an event without occurredAt can never be billed: logged and skipped, the ones after it are counted
        UsageRecorded undated = usage("e0", "u1", "gpt-4o", "p1", "gpt-4o", 1, 0, 1, Outcome.SUCCESS, 200, null);
        for (UsageRecorded e : List.of(undated, beforeChange, afterChange, beforeChange, unpriced, refused, beforeAnyPrice, beforeChange)) {
            kafka.send(UsageRecorded.TOPIC, e.tenantId(), json.writeValueAsString(e)).get();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> count("usage_record") == 5);
        // a failed write is retried without limit (never skipped): the consumer uses that error handler
        assertThat(((org.springframework.kafka.listener.AbstractMessageListenerContainer<?, ?>)
                listeners.getListenerContainer("usage-projection")).getCommonErrorHandler()).isSameAs(usageErrorHandler);
        Thread.sleep(300);

        // (1000 − 200) × 2.5 + 200 × 1.25 + 500 × 10 = 7250 micros; after the change: 800 × 3 + 200 × 1.5 + 500 × 12 = 8700
        assertThat(jdbc.queryForList("SELECT event_id, cost_micros, unpriced FROM usage_record ORDER BY event_id")).containsExactly(
                row("e1", 7250L, false), row("e2", 8700L, false), row("e3", null, true), row("e4", 0L, false),
                row("e5", null, true));
        assertThat(jdbc.queryForObject("SELECT payload FROM usage_record WHERE event_id = 'e2'", String.class))
                .isEqualTo(json.writeValueAsString(afterChange));

        JsonNode statement = getJson("/finance/v1/tenants/" + TENANT + "/statements/2026-11");
        assertThat(statement.get("lines").toString()).isEqualTo("["
                + "{\"model\":\"gpt-4o\",\"providerId\":null,\"providerModel\":null,\"requests\":1,\"promptTokens\":0,\"cachedPromptTokens\":0,\"completionTokens\":0,\"costMicros\":0,\"costUsd\":\"0.000000\",\"unpricedRequests\":0,\"errors\":1,\"costComplete\":true},"
                + "{\"model\":\"gpt-4o\",\"providerId\":\"p1\",\"providerModel\":\"gpt-4o\",\"requests\":2,\"promptTokens\":2000,\"cachedPromptTokens\":400,\"completionTokens\":1000,\"costMicros\":15950,\"costUsd\":\"0.015950\",\"unpricedRequests\":0,\"errors\":0,\"costComplete\":true},"
                + "{\"model\":\"mystery\",\"providerId\":\"p1\",\"providerModel\":\"mystery\",\"requests\":1,\"promptTokens\":10,\"cachedPromptTokens\":0,\"completionTokens\":10,\"costMicros\":0,\"costUsd\":\"0.000000\",\"unpricedRequests\":1,\"errors\":0,\"costComplete\":false}]");
        assertThat(statement.get("total").toString()).isEqualTo("{\"requests\":4,\"promptTokens\":2010,\"cachedPromptTokens\":400,"
                + "\"completionTokens\":1010,\"costMicros\":15950,\"costUsd\":\"0.015950\",\"unpricedRequests\":1,\"errors\":1,\"costComplete\":false}");
        JsonNode october = getJson("/finance/v1/tenants/" + TENANT + "/statements/2026-10");
        assertThat(october.get("total").get("unpricedRequests").asLong()).isEqualTo(1);
        assertThat(october.get("total").get("costMicros").asLong()).isZero();
        assertThat(get("/finance/v1/tenants/" + TENANT + "/statements/2026-13", null).statusCode()).isEqualTo(400);
        assertThat(get("/finance/v1/tenants/nobody/statements/2026-11", null).statusCode()).isEqualTo(404);

        JsonNode byDayAndUser = getJson("/finance/v1/usage?tenantId=" + TENANT
                + "&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&groupBy=user,day");
        assertThat(byDayAndUser.get("groupBy").asString()).isEqualTo("user,day");
        assertThat(byDayAndUser.get("items").valueStream().map(i -> i.get("userId").asString() + "@" + i.get("day").asString()
                + "=" + i.get("costMicros").asLong() + "/" + i.get("unpricedRequests").asLong() + "/" + i.get("errors").asLong()).toList())
                .containsExactly("u1@2026-11-14=7250/0/0", "u1@2026-11-20=0/1/1", "u2@2026-11-15=8700/0/0");
        assertThat(byDayAndUser.get("totals").toString()).isEqualTo("{\"requests\":4,\"promptTokens\":2010,\"cachedPromptTokens\":400,"
                + "\"completionTokens\":1010,\"totalTokens\":3020,\"costMicros\":15950,\"unpricedRequests\":1,\"errors\":1,\"costComplete\":false}");
        JsonNode byMonthAndProvider = getJson("/finance/v1/usage?groupBy=month,provider&providerId=p1");
        assertThat(byMonthAndProvider.get("items").toString()).isEqualTo("["
                + "{\"providerId\":\"p1\",\"month\":\"2026-10\",\"requests\":1,\"promptTokens\":100,\"cachedPromptTokens\":0,\"completionTokens\":100,\"totalTokens\":200,\"costMicros\":0,\"unpricedRequests\":1,\"errors\":0,\"costComplete\":false},"
                + "{\"providerId\":\"p1\",\"month\":\"2026-11\",\"requests\":3,\"promptTokens\":2010,\"cachedPromptTokens\":400,\"completionTokens\":1010,\"totalTokens\":3020,\"costMicros\":15950,\"unpricedRequests\":1,\"errors\":0,\"costComplete\":false}]");
        HttpResponse<String> nul = get("/finance/v1/usage?model=a%00b", null);
        assertThat(nul.statusCode()).isEqualTo(400);
        assertThat(json.readTree(nul.body()).get("field").asString()).isEqualTo("model");
        HttpResponse<String> badGroup = get("/finance/v1/usage?groupBy=model,colour", null);
        assertThat(badGroup.statusCode()).isEqualTo(400);
        assertThat(json.readTree(badGroup.body()).get("field").asString()).isEqualTo("groupBy");

        String expectedCsv = "model,requests,promptTokens,cachedPromptTokens,completionTokens,totalTokens,costMicros,unpricedRequests,errors\r\n"
                + "gpt-4o,3,2000,400,1000,3000,15950,0,1\r\n"
                + "mystery,1,10,0,10,20,0,1,0\r\n";
        String november = "/finance/v1/usage?tenantId=" + TENANT + "&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&groupBy=model";
        HttpResponse<String> csv = get(november + "&format=csv", null);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("content-type").orElse("")).startsWith("text/csv");
        assertThat(csv.body()).isEqualTo(expectedCsv);
        HttpResponse<String> accepted = get(november, "text/csv");
        assertThat(accepted.headers().firstValue("content-type").orElse("")).startsWith("text/csv");
        assertThat(accepted.body()).isEqualTo(expectedCsv);
        HttpResponse<String> csvError = get("/finance/v1/usage?from=yesterday", "text/csv");
        assertThat(csvError.statusCode()).isEqualTo(400);
        assertThat(get("/finance/v1/tenants/" + TENANT + "/statements/2026-11?format=csv", null).body()).startsWith(
                "model,providerId,providerModel,requests,promptTokens,cachedPromptTokens,completionTokens,costMicros,costUsd,unpricedRequests,errors\r\n"
                        + "gpt-4o,,,1,0,0,0,0,0.000000,0,1\r\n");

        JsonNode prices = getJson("/admin/v1/prices?providerId=p1");
        assertThat(prices.get("items").size()).isEqualTo(2);
        JsonNode inForce = getJson("/admin/v1/prices?asOf=2026-11-20T00:00:00Z");
        assertThat(inForce.get("items").toString()).isEqualTo("[{\"providerId\":\"p1\",\"model\":\"gpt-4o\","
                + "\"inputPerMillionUsd\":\"3\",\"outputPerMillionUsd\":\"12\",\"cachedInputPerMillionUsd\":\"1.5\","
                + "\"effectiveFrom\":\"2026-11-15T00:00:00Z\",\"setAt\":\"2026-11-01T00:01:00Z\"}]");

        JsonNode reconciliation = getJson("/finance/v1/reconciliation?from=2026-10-01&to=2026-12-01&tenantId=" + TENANT);
        assertThat(reconciliation.get("matched").asBoolean()).isTrue();
        assertThat(reconciliation.get("days").asInt()).isEqualTo(4);
        assertThat(reconciliation.get("items").get(1).get("ledger").get("costMicros").asLong()).isEqualTo(7250);

        Map<String, String> before = checksums();
        jdbc.update("UPDATE billing_daily SET cost_micros = cost_micros + 1 WHERE day = '2026-11-15'");
        jdbc.update("DELETE FROM billing_daily WHERE day = '2026-11-20' AND model = 'mystery'");
        JsonNode broken = getJson("/finance/v1/reconciliation?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z");
        assertThat(broken.get("matched").asBoolean()).isFalse();
        assertThat(broken.get("differences").asLong()).isEqualTo(2);
        assertThat(broken.get("items").get(1).get("day").asString()).isEqualTo("2026-11-15");
        assertThat(broken.get("items").get(1).get("difference").toString()).isEqualTo("{\"costMicros\":1}");
        assertThat(broken.get("items").get(2).get("difference").toString())
                .isEqualTo("{\"requests\":-1,\"promptTokens\":-10,\"completionTokens\":-10,\"unpricedRequests\":-1}");

        HttpResponse<String> replay = post("/admin/v1/projections/billing/replay");
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(json.readTree(replay.body()).get("rows").asInt()).isEqualTo(5);
        assertThat(checksums()).isEqualTo(before);
        assertThat(getJson("/finance/v1/reconciliation?from=2026-10-01&to=2026-12-01").get("matched").asBoolean()).isTrue();

        // prices replay with the admin read model, row for row
        HttpResponse<String> readModel = post("/admin/v1/projections/admin-read-model/replay");
        assertThat(readModel.statusCode()).isEqualTo(202);
        String location = readModel.headers().firstValue("Location").orElseThrow();
        await().atMost(Duration.ofSeconds(20)).until(() -> "DONE".equals(getJson(location).get("state").asString()));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(checksums()).isEqualTo(before));
    }

    private static Map<String, Object> row(String id, Long cost, boolean unpriced) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("event_id", id);
        row.put("cost_micros", cost);
        row.put("unpriced", unpriced);
        return row;
    }

    Map<String, String> checksums() {
        Map<String, String> sums = new java.util.TreeMap<>();
        CHECKSUMS.forEach((table, sql) -> sums.put(table, jdbc.queryForObject(sql, String.class)));
        return sums;
    }

    private void publish(String aggregateId, long sequence, Object event) {
        eventStore.publish(new GenericDomainEventMessage<>(event.getClass().getSimpleName(), aggregateId, sequence, event));
    }

    private long count(String table) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class);
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer test-admin-token")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer test-admin-token");
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = get(path, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
