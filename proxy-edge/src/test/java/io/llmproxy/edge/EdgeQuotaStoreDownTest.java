package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
import io.llmproxy.edge.support.UsageConsumer;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The edge pointed at a Redis port where nothing listens: each tenant's store-down policy applies
 * (fail-closed → 503, fail-open → local counters), tenants without quotas are not affected, and
 * every refusal is a usage event with its reason.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=50ms",
        "llmproxy.edge.redis-url=redis://127.0.0.1:1"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgeQuotaStoreDownTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String CLOSED_KEY = ApiKeys.generate();
    static final String OPEN_KEY = ApiKeys.generate();
    static final String FREE_KEY = ApiKeys.generate();
    static JdbcTemplate db;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        int simulator = SimulatorServer.port();
        String url = ReadModelDatabase.create("llmproxy_edge_storedown_it");
        db = ReadModelDatabase.jdbc(url);
        Timestamp t0 = Timestamp.from(Instant.now());
        db.update("INSERT INTO rm_provider VALUES ('p1', 'sim', 'openai', ?, ?, ?, 1)",
                "http://127.0.0.1:" + simulator + "/v1", new SecretCipher(SECRET).encrypt("sk-sim"), t0);
        db.update("INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES ('m', 'm', "
                + "'[{\"providerId\":\"p1\",\"model\":\"sim\"}]'::jsonb, ?, 2)", t0);
        String key = "INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, "
                + "change_index) VALUES (?, ?, 'k', ?, 'llmp_x', 'ACTIVE', ?, 3)";
        db.update(key, "k-closed", "t-closed", ApiKeys.hash(CLOSED_KEY), t0);
        db.update(key, "k-open", "t-open", ApiKeys.hash(OPEN_KEY), t0);
        db.update(key, "k-free", "t-free", ApiKeys.hash(FREE_KEY), t0);
        String quota = "INSERT INTO rm_quota_policy VALUES ('TENANT', ?, ?, ?::jsonb, ?, 4)";
        db.update(quota, "t-closed", "t-closed", "{\"requestsPerMinute\":100}", t0);
        db.update(quota, "t-open", "t-open", "{\"requestsPerMinute\":1,\"whenQuotaStoreDown\":\"fail-open\"}", t0);
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> SECRET);
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;
    @Autowired
    EmbeddedKafkaBroker broker;
    @Autowired
    io.llmproxy.edge.snapshot.SnapshotStore snapshots;

    /** Every call has a deadline: a hang fails the test instead of stalling the build. */
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    HttpResponse<String> chat(String key) throws Exception {
        return http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).uri(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void eachTenantsStoreDownPolicyAppliesAndRefusalsAreUsageEvents() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> snapshots.current().changeIndex() >= 4);
        try (UsageConsumer usage = new UsageConsumer(broker.getBrokersAsString(), json)) {
            HttpResponse<String> closed = chat(CLOSED_KEY);
            assertThat(closed.statusCode()).isEqualTo(503);
            assertThat(json.readTree(closed.body()).get("error").get("code").asString()).isEqualTo("quota_store_unavailable");

            assertThat(chat(OPEN_KEY).statusCode()).isEqualTo(200);
            HttpResponse<String> local = chat(OPEN_KEY);
            assertThat(local.statusCode()).isEqualTo(429);
            assertThat(json.readTree(local.body()).get("error").get("code").asString()).isEqualTo("rate_limit_exceeded");

            assertThat(chat(FREE_KEY).statusCode()).isEqualTo(200);

            UsageRecorded closedEvent = usage.await(e -> "k-closed".equals(e.apiKeyId()));
            assertThat(closedEvent.httpStatus()).isEqualTo(503);
            assertThat(closedEvent.refusalReason()).isEqualTo("quota_store_unavailable");
            UsageRecorded localEvent = usage.await(e -> "k-open".equals(e.apiKeyId()) && e.httpStatus() == 429);
            assertThat(localEvent.refusalReason()).isEqualTo("quota:TENANT:requestsPerMinute");
            assertThat(localEvent.outcome()).isEqualTo(UsageRecorded.Outcome.CLIENT_ERROR);
            assertThat(localEvent.providerId()).isEqualTo("p1");
        }
    }
}
