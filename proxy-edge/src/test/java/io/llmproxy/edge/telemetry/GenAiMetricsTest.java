package io.llmproxy.edge.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.snapshot.SnapshotStore;
import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.LocalPostgres;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The GenAI metrics (issue #12, first part): after real calls, the token histogram holds the tokens
 * the client saw, by type, with the convention's bucket boundaries, and the Prometheus exposition
 * carries the convention's names; 1,000 calls with random model names add no series beyond
 * {@code other}: the labels stay bounded.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms",
        "management.endpoints.web.exposure.include=health,info,prometheus"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class GenAiMetricsTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String KEY = ApiKeys.generate();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String url = ReadModelDatabase.create("llmproxy_edge_metrics_it");
        var db = ReadModelDatabase.jdbc(url);
        Timestamp t0 = Timestamp.from(Instant.now());
        db.update("INSERT INTO rm_provider VALUES ('p1', 'sim', 'openai', ?, ?, ?, 1)", "http://127.0.0.1:" + SimulatorServer.port()
                + "/v1", new SecretCipher(SECRET).encrypt("sk-sim"), t0);
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES ('tm', 'm', ?, 2)", t0);
        db.update("INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES ('gm', 'gm', "
                + "'[{\"providerId\":\"p1\",\"model\":\"sim-metrics\"}]'::jsonb, ?, 3)", t0);
        db.update("INSERT INTO rm_route (route_id, tenant_id, model, targets, updated_at, change_index) VALUES ('tm/private', 'tm', "
                + "'private', '[{\"providerId\":\"p1\",\"model\":\"sim-metrics\"}]'::jsonb, ?, 4)", t0);
        db.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES ('k-m', 'tm', 'k', ?, ?, 'ACTIVE', ?, 5)", ApiKeys.hash(KEY), ApiKeys.displayPrefix(KEY), t0);
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> SECRET);
    }

    @LocalServerPort
    int port;
    @Autowired
    MeterRegistry meters;
    @Autowired
    SnapshotStore snapshots;
    @Autowired
    JsonMapper json;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> chat(String model) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"count my tokens\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    double tokens(String type) {
        var s = meters.find(GenAiMetrics.TOKEN_USAGE).tags("gen_ai.token.type", type, "gen_ai.request.model", "gm",
                "gen_ai.provider.name", "openai", "gen_ai.operation.name", "chat").summary();
        return s == null ? 0 : s.totalAmount();
    }

    @Test
    void tokensAndDurationsAreRecordedWithTheConventionsNamesAndBoundedLabels() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().changeIndex() >= 5);
        long prompt = 0;
        long completion = 0;
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = chat("gm");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            prompt += json.readTree(r.body()).get("usage").get("prompt_tokens").asLong();
            completion += json.readTree(r.body()).get("usage").get("completion_tokens").asLong();
        }
        assertThat(chat("private").statusCode()).isEqualTo(200);
        assertThat(tokens("input")).isEqualTo(prompt);
        assertThat(tokens("output")).isEqualTo(completion);

        for (int i = 0; i < 1_000; i++) {
            assertThat(chat("random-" + UUID.randomUUID()).statusCode()).isEqualTo(404);
        }
        Set<String> models = meters.getMeters().stream().filter(m -> m.getId().getName().startsWith("gen_ai.")
                        || m.getId().getName().equals(GenAiMetrics.CALLS))
                .map(m -> m.getId().getTag("gen_ai.request.model")).collect(Collectors.toSet());
        // a tenant's own route and every unknown name are "other": no tenant data and no unbounded label
        assertThat(models).containsExactlyInAnyOrder("gm", "other");
        long series = meters.getMeters().stream().map(Meter::getId).filter(id -> id.getName().startsWith("gen_ai.")).count();
        // tokens: gm and other × input and output; durations: gm, other, other with error.type 404
        assertThat(series).isEqualTo(7);
        assertThat(meters.getMeters().stream().filter(m -> m.getId().getName().startsWith("gen_ai.")
                        || m.getId().getName().equals(GenAiMetrics.CALLS)))
                .noneMatch(m -> m.getId().getTags().stream().anyMatch(t -> t.getValue().equals("tm")
                        || t.getValue().equals("k-m") || t.getValue().equals("private") || t.getValue().startsWith("random-")));

        String scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(scrape).contains("gen_ai_client_token_usage_bucket{", "le=\"16.0\"", "le=\"6.7108864E7\"",
                "gen_ai_client_operation_duration_seconds_bucket{", "le=\"81.92\"", "gen_ai_token_type=\"input\"",
                "gen_ai_request_model=\"gm\"", "error_type=\"404\"");
    }
}
