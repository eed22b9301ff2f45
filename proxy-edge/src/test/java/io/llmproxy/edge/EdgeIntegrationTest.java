package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.simulator.UpstreamSimulatorApplication;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.init.ScriptUtils;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The edge against the real PostgreSQL read model (rows written as the projection writes
 * them), the project's upstream simulator and an embedded KRaft Kafka broker.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms"})
@EmbeddedKafka(partitions = 3, topics = UsageRecorded.TOPIC)
class EdgeIntegrationTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String TENANT = "tenant-edge-" + java.util.UUID.randomUUID();
    static final String KEY = ApiKeys.generate();
    static final String REVOKED_LATER_KEY = ApiKeys.generate();
    static final String PROVIDER_SECRET = "sk-sim-provider-secret-123";
    static int simulatorPort;
    static String dbUrl;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        simulatorPort = io.llmproxy.edge.support.SimulatorServer.port();
        dbUrl = io.llmproxy.edge.support.ReadModelDatabase.create("llmproxy_edge_it");
        JdbcTemplate jdbc = jdbc();
        SecretCipher cipher = new SecretCipher(SECRET);
        Timestamp t0 = Timestamp.from(Instant.parse("2026-11-29T10:00:00Z"));
        String key = "INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, "
                + "change_index) VALUES (?, ?, ?, ?, ?, 'ACTIVE', ?, ?)";
        jdbc.update(key, "k1", TENANT, "ci", ApiKeys.hash(KEY), ApiKeys.displayPrefix(KEY), t0, 2);
        jdbc.update(key, "k2", TENANT, "soon revoked", ApiKeys.hash(REVOKED_LATER_KEY), ApiKeys.displayPrefix(REVOKED_LATER_KEY),
                t0, 3);
        jdbc.update("INSERT INTO rm_provider VALUES ('p1', 'sim', 'openai', ?, ?, ?, 4)",
                "http://127.0.0.1:" + simulatorPort + "/v1", cipher.encrypt(PROVIDER_SECRET), t0);
        jdbc.update("INSERT INTO rm_provider VALUES ('p-dead', 'dead', 'openai', 'http://127.0.0.1:9/v1', ?, ?, 5)",
                cipher.encrypt(PROVIDER_SECRET), t0);
        jdbc.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'edge', ?, 1)", TENANT, t0);
        String route = "INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES (?, ?, ?::jsonb, ?, ?)";
        jdbc.update(route, "gpt-4o-mini", "gpt-4o-mini", "[{\"providerId\":\"p1\",\"model\":\"sim-gpt-4o-mini\"}]", t0, 6);
        jdbc.update(route, "broken", "broken", "[{\"providerId\":\"p1\",\"model\":\"sim-error-500\"}]", t0, 7);
        jdbc.update(route, "offline", "offline", "[{\"providerId\":\"p-dead\",\"model\":\"x\"}]", t0, 8);
        jdbc.update(route, "slow", "slow", "[{\"providerId\":\"p1\",\"model\":\"sim-slow-300\"}]", t0, 9);
        registry.add("spring.datasource.url", () -> dbUrl);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> SECRET);
    }

    static JdbcTemplate jdbc() {
        return new JdbcTemplate(new org.springframework.jdbc.datasource.DriverManagerDataSource(dbUrl, LocalPostgres.user(),
                LocalPostgres.password()));
    }


    @LocalServerPort
    int port;
    @Autowired
    EmbeddedKafkaBroker broker;
    @Autowired
    JsonMapper json;

    /** Every call has a deadline: a hang fails the test instead of stalling the build. */
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final List<UsageRecorded> usage = new CopyOnWriteArrayList<>();
    static Thread consumerThread;

    @Autowired
    io.llmproxy.edge.snapshot.SnapshotStore snapshots;

    /** The rows written in {@link #properties} are in the edge's snapshot before any test calls it. */
    @org.junit.jupiter.api.BeforeEach
    void snapshotLoaded() {
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().changeIndex() >= 9);
    }

    void startConsumer() {
        if (consumerThread != null) {
            return;
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "edge-test");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumerThread = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
                consumer.subscribe(List.of(UsageRecorded.TOPIC));
                while (!Thread.currentThread().isInterrupted()) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                        UsageRecorded e = json.readValue(r.value(), UsageRecorded.class);
                        assertThat(r.key()).isEqualTo(e.tenantId());
                        usage.add(e);
                    });
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // test over
            }
        }, "usage-test-consumer");
        consumerThread.setDaemon(true);
        consumerThread.start();
    }

    UsageRecorded awaitUsage(Predicate<UsageRecorded> match) {
        startConsumer();
        await().atMost(Duration.ofSeconds(20)).until(() -> usage.stream().anyMatch(match));
        List<UsageRecorded> found = usage.stream().filter(match).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    HttpResponse<String> post(String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).uri(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String chat(String model, String content, boolean stream, Boolean includeUsage) {
        String options = includeUsage == null ? "" : ",\"stream_options\":{\"include_usage\":" + includeUsage + "}";
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + options
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    List<JsonNode> dataEvents(String body) {
        List<JsonNode> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            if (block.startsWith("data: ") && !block.equals("data: [DONE]")) {
                out.add(json.readTree(block.substring(6)));
            }
        }
        return out;
    }

    @Test
    void nonStreamedCallReturnsTheProviderAnswerAndPublishesItsUsage() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", KEY, chat("gpt-4o-mini", "Hello edge one", false, null));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("object").asString()).isEqualTo("chat.completion");
        assertThat(body.get("model").asString()).isEqualTo("sim-gpt-4o-mini");
        long prompt = body.get("usage").get("prompt_tokens").asLong();
        long completion = body.get("usage").get("completion_tokens").asLong();
        // "Hello edge one": 3 tokens + 4 per message + 3 (the simulator's documented rule)
        assertThat(prompt).isEqualTo(10);
        assertThat(completion).isPositive();

        UsageRecorded event = awaitUsage(e -> "gpt-4o-mini".equals(e.model()) && !e.stream() && e.promptTokens() == 10);
        assertThat(event.tenantId()).isEqualTo(TENANT);
        assertThat(event.apiKeyId()).isEqualTo("k1");
        assertThat(event.providerId()).isEqualTo("p1");
        assertThat(event.providerModel()).isEqualTo("sim-gpt-4o-mini");
        assertThat(event.completionTokens()).isEqualTo(completion);
        assertThat(event.totalTokens()).isEqualTo(prompt + completion);
        assertThat(event.httpStatus()).isEqualTo(200);
        assertThat(event.outcome()).isEqualTo(UsageRecorded.Outcome.SUCCESS);
        assertThat(event.endpoint()).isEqualTo("chat.completions");
    }

    @Test
    void streamWithIncludeUsageEndsWithTheUsageChunkThenDone() throws Exception {
        String request = chat("gpt-4o-mini", "Stream me two please", true, true);
        HttpResponse<String> response = post("/v1/chat/completions", KEY, request);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
        List<JsonNode> events = dataEvents(response.body());
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.get("choices").size()).isZero();
        long completion = last.get("usage").get("completion_tokens").asLong();
        StringBuilder text = new StringBuilder();
        events.forEach(e -> e.path("choices").forEach(c -> text.append(c.path("delta").path("content").asString(""))));

        HttpResponse<String> whole = post("/v1/chat/completions", KEY, chat("gpt-4o-mini", "Stream me two please", false, null));
        JsonNode wholeBody = json.readTree(whole.body());
        assertThat(text.toString()).isEqualTo(wholeBody.get("choices").get(0).get("message").get("content").asString());
        assertThat(completion).isEqualTo(wholeBody.get("usage").get("completion_tokens").asLong());

        UsageRecorded event = awaitUsage(e -> e.stream() && e.promptTokens() == 11 && e.httpStatus() == 200);
        assertThat(event.completionTokens()).isEqualTo(completion);
        assertThat(event.outcome()).isEqualTo(UsageRecorded.Outcome.SUCCESS);
    }

    @Test
    void streamWithoutIncludeUsageHidesTheUsageChunkButStillBillsIt() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", KEY, chat("gpt-4o-mini", "no usage chunk for me thanks", true, null));
        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> events = dataEvents(response.body());
        assertThat(events).allSatisfy(e -> assertThat(e.get("choices").size()).isEqualTo(1));
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
        long deltas = events.stream().filter(e -> !e.path("choices").get(0).path("delta").path("content").asString("").isEmpty()).count();
        UsageRecorded event = awaitUsage(e -> e.stream() && e.promptTokens() == 13);
        assertThat(event.completionTokens()).isEqualTo(deltas);
    }

    @Test
    void unknownMissingAndRevokedKeysGet401InOpenAiFormat() throws Exception {
        HttpResponse<String> unknown = post("/v1/chat/completions", "llmp_not-a-key", chat("gpt-4o-mini", "hi", false, null));
        assertThat(unknown.statusCode()).isEqualTo(401);
        JsonNode error = json.readTree(unknown.body()).get("error");
        assertThat(error.get("code").asString()).isEqualTo("invalid_api_key");
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asString()).isNotBlank();
        assertThat(post("/v1/chat/completions", null, chat("gpt-4o-mini", "hi", false, null)).statusCode()).isEqualTo(401);

        assertThat(post("/v1/chat/completions", REVOKED_LATER_KEY, chat("gpt-4o-mini", "before revoke", false, null)).statusCode())
                .isEqualTo(200);
        jdbc().update("UPDATE rm_api_key SET status = 'REVOKED', change_index = 100 WHERE api_key_id = 'k2'");
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).until(() ->
                post("/v1/chat/completions", REVOKED_LATER_KEY, chat("gpt-4o-mini", "after revoke", false, null)).statusCode() == 401);
        UsageRecorded refused = awaitUsage(e -> "k2".equals(e.apiKeyId()) && e.httpStatus() == 401 && e.model() == null);
        assertThat(refused.tenantId()).isEqualTo(TENANT);
        assertThat(refused.refusalReason()).isEqualTo("invalid_api_key:revoked");
        assertThat(refused.outcome()).isEqualTo(UsageRecorded.Outcome.CLIENT_ERROR);
    }

    @Test
    void unknownModelIs404AndBadBodiesAre400() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", KEY, chat("no-such-model", "hi", false, null));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json.readTree(response.body()).get("error").get("code").asString()).isEqualTo("model_not_found");

        HttpResponse<String> badJson = post("/v1/chat/completions", KEY, "{\"model\":");
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(json.readTree(badJson.body()).get("error").get("type").asString()).isEqualTo("invalid_request_error");
        HttpResponse<String> noMessages = post("/v1/chat/completions", KEY, "{\"model\":\"gpt-4o-mini\"}");
        assertThat(noMessages.statusCode()).isEqualTo(400);
        assertThat(json.readTree(noMessages.body()).get("error").get("param").asString()).isEqualTo("messages");
        awaitUsage(e -> "no-such-model".equals(e.model()) && e.httpStatus() == 404);
    }

    @Test
    void providerFailuresMapToOpenAiErrorsWithoutTheProviderSecret() throws Exception {
        HttpResponse<String> failed = post("/v1/chat/completions", KEY, chat("broken", "hi", false, null));
        assertThat(failed.statusCode()).isEqualTo(502);
        JsonNode error = json.readTree(failed.body()).get("error");
        assertThat(error.get("code").asString()).isEqualTo("upstream_error");
        assertThat(error.get("message").asString()).startsWith("sim failed (HTTP 500)");
        assertThat(failed.body()).doesNotContain(PROVIDER_SECRET);

        HttpResponse<String> offline = post("/v1/chat/completions", KEY, chat("offline", "hi", true, null));
        assertThat(offline.statusCode()).isEqualTo(502);
        assertThat(json.readTree(offline.body()).get("error").get("code").asString()).isEqualTo("upstream_unreachable");
        UsageRecorded event = awaitUsage(e -> "offline".equals(e.model()));
        assertThat(event.outcome()).isEqualTo(UsageRecorded.Outcome.UPSTREAM_ERROR);
        assertThat(event.httpStatus()).isEqualTo(502);
        // the provider never accepted either call: 0 tokens billed, not the edge's estimate
        assertThat(event.promptTokens()).isZero();
        assertThat(event.usageEstimated()).isFalse();
        UsageRecorded broken = awaitUsage(e -> "broken".equals(e.model()));
        assertThat(broken.httpStatus()).isEqualTo(502);
        assertThat(broken.promptTokens()).isZero();
        assertThat(broken.usageEstimated()).isFalse();
    }

    @Test
    void aCancelledStreamIsBilledOnceWithThePromptEstimateAndTheDeltasSeen() throws Exception {
        String body = chat("slow", "please tell me a very long story about quotas", true, null);
        HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.body().read(new byte[64])).isPositive();
        stream.body().close();
        UsageRecorded event = awaitUsage(e -> "slow".equals(e.model()) && e.stream());
        assertThat(event.outcome()).isEqualTo(UsageRecorded.Outcome.CANCELLED);
        assertThat(event.httpStatus()).isEqualTo(499);
        assertThat(event.usageEstimated()).isTrue();
        // ⌈45 characters / 4⌉ + 4 + 3
        assertThat(event.promptTokens()).isEqualTo(19);
        assertThat(event.completionTokens()).isLessThan(10);
    }

    /** Every client format, non-streamed: path, credential header, body, the usage event's endpoint. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> abandonedCalls() {
        String content = "an answer nobody waits for";
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("/v1/chat/completions", "Authorization: Bearer " + KEY,
                        chat("slow", content, false, null), "chat.completions"),
                org.junit.jupiter.params.provider.Arguments.of("/v1/messages", "x-api-key: " + KEY, "{\"model\":\"slow\",\"max_tokens\":50,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}", "messages"),
                org.junit.jupiter.params.provider.Arguments.of("/api/chat", "Authorization: Bearer " + KEY, "{\"model\":\"slow\",\"stream\":false,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}", "ollama.chat"),
                org.junit.jupiter.params.provider.Arguments.of("/v1/responses", "Authorization: Bearer " + KEY,
                        "{\"model\":\"slow\",\"store\":false,\"input\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}", "responses"));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{3}")
    @org.junit.jupiter.params.provider.MethodSource("abandonedCalls")
    void aCallLeftWhileTheProviderHasItIsBilledThePromptEstimateAndListsTheAttemptAsCancelled(String path, String credential,
                                                                                              String body, String endpoint) throws Exception {
        // the provider (300 ms between tokens) has the request when the client closes its connection
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + credential
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            Thread.sleep(500);
        }
        UsageRecorded event = awaitUsage(e -> "slow".equals(e.model()) && !e.stream() && endpoint.equals(e.endpoint()));
        assertThat(event.outcome()).isEqualTo(UsageRecorded.Outcome.CANCELLED);
        assertThat(event.httpStatus()).isEqualTo(499);
        assertThat(event.usageEstimated()).isTrue();
        // ⌈26 characters / 4⌉ + 4 + 3
        assertThat(event.promptTokens()).isEqualTo(14);
        assertThat(event.completionTokens()).isZero();
        assertThat(event.attempts()).extracting(a -> a.providerId() + " " + a.providerModel() + " " + a.httpStatus() + " "
                + a.error() + " " + a.served()).containsExactly("p1 sim-slow-300 0 cancelled false");
        assertThat(event.attempts().get(0).latencyMs()).isBetween(300L, 20_000L);
    }

    @Test
    void controlCharactersInTheModelAre400() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", KEY,
                "{\"model\":\"evil\\u0000model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json.readTree(response.body()).get("error").get("param").asString()).isEqualTo("model");
    }

    @Test
    void unknownEndpointsAnswerInOpenAiFormat() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).uri(URI.create("http://127.0.0.1:" + port + "/v1/audio/speech"))
                .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json.readTree(response.body()).get("error").get("code").asString()).isEqualTo("unknown_url");
    }

    @Test
    void modelsListsTheRoutedModels() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).uri(URI.create("http://127.0.0.1:" + port + "/v1/models"))
                .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("object").asString()).isEqualTo("list");
        assertThat(body.get("data").valueStream().map(m -> m.get("id").asString()).toList())
                .containsExactly("broken", "gpt-4o-mini", "offline", "slow");
        assertThat(body.get("data").get(1).get("created").asLong()).isEqualTo(Instant.parse("2026-11-29T10:00:00Z").getEpochSecond());
        assertThat(json.readValue(response.body(), Map.class)).containsKey("data");
    }
}
