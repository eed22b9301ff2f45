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
import io.llmproxy.testsupport.ObservabilityRules;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway's own metrics at the edge (issue #12), read from a scrape of {@code /actuator/prometheus}
 * after known calls: 3 served calls count 3 with 3 attempts and 3 added-time samples, a streamed call
 * gives one time-to-first-token and one time-per-output-token sample with the convention's buckets, a
 * quota refusal counts 1 by level and limit, the target's breaker is closed (0), the snapshot age and the
 * Kafka publish timer are exposed, and no tenant id appears as a label.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms",
        "management.endpoints.web.exposure.include=health,info,prometheus"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class GatewayMetricsTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String KEY = ApiKeys.generate();
    static final String QUOTA_KEY = ApiKeys.generate();
    /** Unique per run: the quota counters live in the shared Redis. */
    static final String QUOTA_TENANT = "tq-" + UUID.randomUUID();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String url = ReadModelDatabase.create("llmproxy_edge_gwmetrics_it");
        var db = ReadModelDatabase.jdbc(url);
        Timestamp t0 = Timestamp.from(Instant.now());
        db.update("INSERT INTO rm_provider VALUES ('p1', 'sim', 'openai', ?, ?, ?, 1)", "http://127.0.0.1:" + SimulatorServer.port()
                + "/v1", new SecretCipher(SECRET).encrypt("sk-sim"), t0);
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES ('tg', 'g', ?, 2)", t0);
        db.update("INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES ('gm', 'gm', "
                + "'[{\"providerId\":\"p1\",\"model\":\"sim-gw\"}]'::jsonb, ?, 3)", t0);
        db.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES ('k-g', 'tg', 'k', ?, ?, 'ACTIVE', ?, 4)", ApiKeys.hash(KEY), ApiKeys.displayPrefix(KEY), t0);
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'q', ?, 5)", QUOTA_TENANT, t0);
        db.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES ('k-q', ?, 'k', ?, ?, 'ACTIVE', ?, 6)", QUOTA_TENANT, ApiKeys.hash(QUOTA_KEY),
                ApiKeys.displayPrefix(QUOTA_KEY), t0);
        db.update("INSERT INTO rm_quota_policy VALUES ('TENANT', ?, ?, '{\"requestsPerDay\":1}'::jsonb, ?, 7)",
                QUOTA_TENANT, QUOTA_TENANT, t0);
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> SECRET);
    }

    @LocalServerPort
    int port;
    @Autowired
    SnapshotStore snapshots;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> chat(String key, boolean stream) throws Exception {
        String body = "{\"model\":\"gm\",\"messages\":[{\"role\":\"user\",\"content\":\"count my tokens please\"}]"
                + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "") + "}";
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    String scrape() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** @return the value of the first sample whose line starts with {@code name{} and contains every label */
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
        throw new AssertionError("no sample " + name + " with " + String.join(",", labels));
    }

    @Test
    void gatewayMetricsHoldConcreteValuesAfterKnownCalls() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().changeIndex() >= 7);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = chat(KEY, false);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        HttpResponse<String> streamed = chat(KEY, true);
        assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(200);
        assertThat(chat(QUOTA_KEY, false).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = chat(QUOTA_KEY, false);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);

        String s = scrape();
        String gm = "gen_ai_request_model=\"gm\"";
        assertThat(sample(s, "llmproxy_edge_calls_total", gm, "llmproxy_client_endpoint=\"chat.completions\"",
                "http_response_status_class=\"2xx\"", "gen_ai_provider_name=\"openai\"")).isEqualTo(5.0);
        assertThat(sample(s, "llmproxy_edge_calls_total", gm, "http_response_status_class=\"4xx\"")).isEqualTo(1.0);
        assertThat(sample(s, "llmproxy_edge_quota_refusals_total", "level=\"TENANT\"", "limit=\"requestsPerDay\""))
                .isEqualTo(1.0);
        // every call that reached routing made exactly one attempt
        assertThat(sample(s, "llmproxy_edge_attempts_count")).isEqualTo(5.0);
        assertThat(sample(s, "llmproxy_edge_attempts_sum")).isEqualTo(5.0);
        assertThat(sample(s, "llmproxy_edge_attempts_bucket", "le=\"1.0\"")).isEqualTo(5.0);
        assertThat(sample(s, "llmproxy_edge_added_duration_seconds_count", "gen_ai_operation_name=\"chat\"")).isEqualTo(6.0);
        assertThat(sample(s, "llmproxy_edge_added_duration_seconds_bucket", "le=\"2.5\"")).isEqualTo(6.0);
        // the streamed call: one TTFT and one TPOT sample, the convention's names, unit and buckets
        assertThat(sample(s, "gen_ai_server_time_to_first_token_seconds_count", gm, "gen_ai_operation_name=\"chat\""))
                .isEqualTo(1.0);
        assertThat(sample(s, "gen_ai_server_time_to_first_token_seconds_bucket", gm, "le=\"10.0\"")).isEqualTo(1.0);
        assertThat(s).contains("gen_ai_server_time_to_first_token_seconds_bucket{", "le=\"0.001\"", "le=\"7.5\"",
                "gen_ai_server_time_per_output_token_seconds_bucket{", "le=\"0.075\"");
        assertThat(sample(s, "gen_ai_server_time_per_output_token_seconds_count", gm)).isEqualTo(1.0);
        assertThat(sample(s, "gen_ai_server_time_per_output_token_seconds_bucket", gm, "le=\"2.5\"")).isEqualTo(1.0);
        // GenAI client metrics: names, units and the convention's boundaries
        assertThat(s).contains("gen_ai_client_token_usage_bucket{", "le=\"6.7108864E7\"",
                "gen_ai_client_operation_duration_seconds_bucket{", "le=\"81.92\"");
        assertThat(sample(s, "llmproxy_edge_breaker_state", "target=\"p1/sim-gw\"")).isEqualTo(0.0);
        double age = sample(s, "llmproxy_edge_snapshot_age_seconds");
        assertThat(age).isBetween(0.0, 60.0);
        // no tenant id as a label by default
        assertThat(s).doesNotContain("tg\"", QUOTA_TENANT, "llmproxy_edge_tenant_calls");

        // the usage events reach Kafka: the publish timer counts acknowledged batches, the buffer drains
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String later = scrape();
            return sample(later, "llmproxy_usage_published_total") == 6.0
                    && sample(later, "llmproxy_usage_publish_duration_seconds_count") >= 1.0
                    && sample(later, "llmproxy_usage_buffer_events") == 0.0;
        });
        assertThat(sample(scrape(), "llmproxy_usage_buffer_oldest_age_seconds")).isEqualTo(0.0);
        assertThat(sample(scrape(), "llmproxy_usage_publish_failures_total")).isEqualTo(0.0);
        // every edge series the alert and recording rules and the dashboard read exists after this short load
        assertThat(ObservabilityRules.exposed(scrape())).containsAll(ObservabilityRules.edgeSeries());
    }
}
