package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.testsupport.LocalPostgres;
import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
import io.llmproxy.edge.support.UsageConsumer;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Content capture (issue #5) end to end through the edge: real read model on PostgreSQL (with
 * {@code audit_content_policy}), real Redis, embedded Kafka and the simulator. A tenant that opted
 * in gets its prompt and the completion the client received in the usage event, masked; a tenant
 * that did not gets neither. BlockHound runs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgeContentCaptureTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String OPTED = "tenant-opted-" + UUID.randomUUID();
    static final String PLAIN = "tenant-plain-" + UUID.randomUUID();
    static final String OPTED_KEY = ApiKeys.generate();
    static final String PLAIN_KEY = ApiKeys.generate();
    static final String LEAKED = "sk-live-abcdef1234567890abcdef";
    static String dbUrl;
    static UsageConsumer usage;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        int simulator = SimulatorServer.port();
        dbUrl = ReadModelDatabase.create("llmproxy_edge_content_it");
        JdbcTemplate db = ReadModelDatabase.jdbc(dbUrl);
        SecretCipher cipher = new SecretCipher(SECRET);
        Timestamp t0 = Timestamp.from(Instant.parse("2026-11-29T10:00:00Z"));
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'opted', ?, 1)", OPTED, t0);
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'plain', ?, 2)", PLAIN, t0);
        String key = "INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, "
                + "change_index) VALUES (?, ?, 'k', ?, ?, 'ACTIVE', ?, ?)";
        db.update(key, "ko", OPTED, ApiKeys.hash(OPTED_KEY), ApiKeys.displayPrefix(OPTED_KEY), t0, 3);
        db.update(key, "kp", PLAIN, ApiKeys.hash(PLAIN_KEY), ApiKeys.displayPrefix(PLAIN_KEY), t0, 4);
        db.update("INSERT INTO rm_provider VALUES ('p-sim', 'sim', 'openai', ?, ?, ?, 5)",
                "http://127.0.0.1:" + simulator + "/v1", cipher.encrypt("sk-sim-secret"), t0);
        String route = "INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES (?, ?, ?::jsonb, ?, ?)";
        db.update(route, "gpt-4o-mini", "gpt-4o-mini", "[{\"providerId\":\"p-sim\",\"model\":\"sim-gpt-4o-mini\"}]", t0, 6);
        db.update(route, "embed", "embed", "[{\"providerId\":\"p-sim\",\"model\":\"sim-embed\"}]", t0, 7);
        String policy = "INSERT INTO audit_content_policy (tenant_id, store_prompt_content, updated_at, change_index) "
                + "VALUES (?, ?, ?, ?)";
        db.update(policy, OPTED, true, t0, 8);
        db.update(policy, PLAIN, false, t0, 9);
        registry.add("spring.datasource.url", () -> dbUrl);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> SECRET);
    }

    @LocalServerPort
    int port;
    @Autowired
    EmbeddedKafkaBroker broker;
    @Autowired
    JsonMapper json;
    @Autowired
    io.llmproxy.edge.snapshot.SnapshotStore snapshots;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void ready() {
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().changeIndex() >= 9);
        synchronized (EdgeContentCaptureTest.class) {
            if (usage == null) {
                usage = new UsageConsumer(broker.getBrokersAsString(), json);
            }
        }
    }

    @AfterAll
    static void closeConsumer() {
        if (usage != null) {
            usage.close();
            usage = null;
        }
    }

    HttpResponse<String> post(String path, String key, String body) throws Exception {
        return http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30))
                .uri(URI.create("http://127.0.0.1:" + port + path)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** a system and a user message; the user message carries a secret-shaped string and a marker */
    static String chat(String marker, boolean stream) {
        return "{\"model\":\"gpt-4o-mini\",\"stream\":" + stream + ",\"messages\":["
                + "{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + marker + " my key is " + LEAKED + "\"}]}]}";
    }

    String streamedText(String body) {
        StringBuilder text = new StringBuilder();
        for (String block : body.split("\n\n")) {
            if (block.startsWith("data: ") && !block.equals("data: [DONE]")) {
                JsonNode choices = json.readTree(block.substring(6)).path("choices");
                if (!choices.isEmpty()) {
                    text.append(choices.get(0).path("delta").path("content").asString(""));
                }
            }
        }
        return text.toString();
    }

    @Test
    void optedInNonStreamCallCarriesTheMaskedPromptAndTheCompletionTheClientGot() throws Exception {
        String marker = "alpha" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> response = post("/v1/chat/completions", OPTED_KEY, chat(marker, false));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String answer = json.readTree(response.body()).get("choices").get(0).get("message").get("content").asString();
        assertThat(answer).isNotEmpty();

        UsageRecorded event = usage.await(e -> e.promptText() != null && e.promptText().contains(marker));
        assertThat(event.schemaVersion()).isEqualTo(UsageRecorded.SCHEMA_VERSION).isEqualTo(4);
        assertThat(event.tenantId()).isEqualTo(OPTED);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(event.promptText()).isEqualTo("system: Be brief.\nuser: " + marker + " my key is [MASKED:openai-key]");
        assertThat(event.completionText()).isEqualTo(answer);
    }

    @Test
    void optedInStreamCallCarriesTheAccumulatedDeltas() throws Exception {
        String marker = "beta" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> response = post("/v1/chat/completions", OPTED_KEY, chat(marker, true));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String streamed = streamedText(response.body());
        assertThat(streamed).isNotEmpty();

        UsageRecorded event = usage.await(e -> e.promptText() != null && e.promptText().contains(marker));
        assertThat(event.stream()).isTrue();
        assertThat(event.promptText()).isEqualTo("system: Be brief.\nuser: " + marker + " my key is [MASKED:openai-key]");
        assertThat(event.promptText()).doesNotContain(LEAKED);
        assertThat(event.completionText()).isEqualTo(streamed);
    }

    @Test
    void optedInAnthropicStreamCarriesTheTextOfItsDeltas() throws Exception {
        String marker = "gamma" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> response = post("/v1/messages", OPTED_KEY, "{\"model\":\"gpt-4o-mini\",\"max_tokens\":100,"
                + "\"stream\":true,\"system\":\"Be brief.\",\"messages\":[{\"role\":\"user\",\"content\":\"" + marker
                + " token " + LEAKED + "\"}]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        StringBuilder text = new StringBuilder();
        for (String block : response.body().split("\n\n")) {
            if (block.contains("event: content_block_delta")) {
                String data = block.substring(block.indexOf("data: ") + 6);
                text.append(json.readTree(data).path("delta").path("text").asString(""));
            }
        }
        assertThat(text).isNotEmpty();

        UsageRecorded event = usage.await(e -> e.promptText() != null && e.promptText().contains(marker));
        assertThat(event.endpoint()).isEqualTo("messages");
        assertThat(event.promptText()).endsWith("user: " + marker + " token [MASKED:openai-key]");
        assertThat(event.completionText()).isEqualTo(text.toString());
    }

    @Test
    void optedInEmbeddingsCarryTheInputAndNoCompletion() throws Exception {
        String marker = "delta" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> response = post("/v1/embeddings", OPTED_KEY,
                "{\"model\":\"embed\",\"input\":[\"" + marker + "\",\"password=hunter2secret\"]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

        UsageRecorded event = usage.await(e -> e.promptText() != null && e.promptText().contains(marker));
        assertThat(event.endpoint()).isEqualTo("embeddings");
        assertThat(event.promptText()).isEqualTo(marker + "\npassword=[MASKED:credential]");
        assertThat(event.completionText()).isNull();
    }

    @Test
    void anOptInLaterReachesTheSnapshotAndKeepsTheTenantsSuspension() {
        String later = "tenant-later-" + UUID.randomUUID();
        JdbcTemplate db = ReadModelDatabase.jdbc(dbUrl);
        Timestamp t1 = Timestamp.from(Instant.parse("2026-11-29T11:00:00Z"));
        long base = 1000 + snapshots.current().changeIndex();
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'later', ?, ?)", later, t1, base);
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().tenantsById().containsKey(later));
        assertThat(snapshots.current().storesPromptContent(later)).isFalse();
        db.update("UPDATE rm_tenant SET status = 'SUSPENDED', change_index = ? WHERE tenant_id = ?", base + 1, later);
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().suspended(later));
        db.update("INSERT INTO audit_content_policy (tenant_id, store_prompt_content, updated_at, change_index) VALUES (?, true, ?, ?)",
                later, t1, base + 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().storesPromptContent(later));
        assertThat(snapshots.current().suspended(later)).isTrue();
        db.update("UPDATE rm_tenant SET status = 'ACTIVE', change_index = ? WHERE tenant_id = ?", base + 3, later);
        await().atMost(Duration.ofSeconds(10)).until(() -> !snapshots.current().suspended(later));
        assertThat(snapshots.current().storesPromptContent(later)).isTrue();
    }

    @Test
    void optedOutTenantsCallsCarryNoText() throws Exception {
        HttpResponse<String> whole = post("/v1/chat/completions", PLAIN_KEY, chat("plain-whole", false));
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        HttpResponse<String> streamed = post("/v1/chat/completions", PLAIN_KEY, chat("plain-stream", true));
        assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(200);

        UsageRecorded nonStream = usage.await(e -> PLAIN.equals(e.tenantId()) && !e.stream() && "chat.completions".equals(e.endpoint()));
        UsageRecorded stream = usage.await(e -> PLAIN.equals(e.tenantId()) && e.stream());
        for (UsageRecorded e : java.util.List.of(nonStream, stream)) {
            assertThat(e.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(e.promptTokens()).isPositive();
            assertThat(e.promptText()).isNull();
            assertThat(e.completionText()).isNull();
        }
    }
}
