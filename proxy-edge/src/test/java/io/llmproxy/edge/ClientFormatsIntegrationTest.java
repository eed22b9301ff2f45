package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
import io.llmproxy.edge.support.ToolCallUpstream;
import io.llmproxy.edge.support.UsageConsumer;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
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
 * The Anthropic ({@code /v1/messages}) and Ollama ({@code /api/*}) client formats end to end through
 * the edge: real read model on PostgreSQL, real Redis, embedded Kafka, the project's simulator as an
 * OpenAI-format upstream, and a recorded OpenAI tool-call upstream ({@link ToolCallUpstream}).
 * Asserts wire shapes, concrete token counts and the usage event of each call.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class ClientFormatsIntegrationTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String TENANT = "tenant-clients-" + UUID.randomUUID();
    static final String KEY = ApiKeys.generate();
    /** the Anthropic SDK's and the npm client's own keys, so that their usage events are told apart */
    static final String SDK_KEY = ApiKeys.generate();
    static final String NODE_KEY = ApiKeys.generate();
    /** a key with a quota of one request per day (its id is unique: Redis is shared by test runs) */
    static final String QUOTA_KEY = ApiKeys.generate();
    static final String QUOTA_KEY_ID = "kq-" + UUID.randomUUID();
    static String dbUrl;
    static UsageConsumer usage;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        int simulator = SimulatorServer.port();
        int tools = ToolCallUpstream.port();
        dbUrl = ReadModelDatabase.create("llmproxy_edge_clients_it");
        JdbcTemplate db = ReadModelDatabase.jdbc(dbUrl);
        SecretCipher cipher = new SecretCipher(SECRET);
        Timestamp t0 = Timestamp.from(Instant.parse("2026-11-29T10:00:00Z"));
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'clients', ?, 1)", TENANT, t0);
        db.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES ('kc', ?, 'clients', ?, ?, 'ACTIVE', ?, 2)", TENANT, ApiKeys.hash(KEY), ApiKeys.displayPrefix(KEY), t0);
        db.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES ('ks', ?, 'sdk', ?, ?, 'ACTIVE', ?, 2)", TENANT, ApiKeys.hash(SDK_KEY), ApiKeys.displayPrefix(SDK_KEY), t0);
        db.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES ('kn', ?, 'node', ?, ?, 'ACTIVE', ?, 2)", TENANT, ApiKeys.hash(NODE_KEY), ApiKeys.displayPrefix(NODE_KEY), t0);
        db.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES (?, ?, 'quota', ?, ?, 'ACTIVE', ?, 2)", QUOTA_KEY_ID, TENANT, ApiKeys.hash(QUOTA_KEY),
                ApiKeys.displayPrefix(QUOTA_KEY), t0);
        db.update("INSERT INTO rm_quota_policy (scope, subject_id, tenant_id, limits, updated_at, change_index) "
                + "VALUES ('API_KEY', ?, ?, '{\"requestsPerDay\":1}'::jsonb, ?, 2)", QUOTA_KEY_ID, TENANT, t0);
        db.update("INSERT INTO rm_provider VALUES ('p-sim', 'sim', 'openai', ?, ?, ?, 3)",
                "http://127.0.0.1:" + simulator + "/v1", cipher.encrypt("sk-sim-secret"), t0);
        db.update("INSERT INTO rm_provider VALUES ('p-tools', 'recorded', 'openai', ?, ?, ?, 4)",
                "http://127.0.0.1:" + tools + "/v1", cipher.encrypt("sk-tools-secret"), t0);
        String route = "INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES (?, ?, ?::jsonb, ?, ?)";
        db.update(route, "gpt-4o-mini", "gpt-4o-mini", "[{\"providerId\":\"p-sim\",\"model\":\"sim-gpt-4o-mini\"}]", t0, 5);
        db.update(route, "broken", "broken", "[{\"providerId\":\"p-sim\",\"model\":\"sim-error-500\"}]", t0, 6);
        db.update(route, "tooly", "tooly", "[{\"providerId\":\"p-tools\",\"model\":\"tool-model\"}]", t0, 7);
        db.update(route, "cut", "cut", "[{\"providerId\":\"p-tools\",\"model\":\"cut-model\"}]", t0, 8);
        db.update("INSERT INTO rm_provider VALUES ('p-picky', 'picky', 'test-no-image-urls', 'http://127.0.0.1:9/v1', ?, ?, 9)",
                cipher.encrypt("sk-picky"), t0);
        db.update(route, "picky", "picky", "[{\"providerId\":\"p-picky\",\"model\":\"x\"}]", t0, 10);
        db.update(route, "slow", "slow", "[{\"providerId\":\"p-sim\",\"model\":\"sim-slow-300\"}]", t0, 11);
        registry.add("spring.datasource.url", () -> dbUrl);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> SECRET);
    }

    /**
     * A provider type that takes no image URL parts (as some providers' native APIs): its translator
     * refuses before any upstream call, and the client must get 400 in its own format.
     */
    @org.springframework.boot.test.context.TestConfiguration
    static class PickyProvider {
        @org.springframework.context.annotation.Bean
        io.llmproxy.edge.provider.ProviderAdapter noImageUrls() {
            return new io.llmproxy.edge.provider.ProviderAdapter() {
                @Override
                public String type() {
                    return "test-no-image-urls";
                }

                @Override
                public io.llmproxy.edge.provider.ChatTranslator chatTranslator(boolean stream, boolean clientWantsUsage) {
                    return (io.llmproxy.edge.provider.ChatTranslator) java.lang.reflect.Proxy.newProxyInstance(
                            getClass().getClassLoader(), new Class<?>[] {io.llmproxy.edge.provider.ChatTranslator.class},
                            (proxy, method, args) -> switch (method.getName()) {
                                case "request" -> throw new io.llmproxy.edge.provider.UnsupportedRequestException(
                                        "picky takes no image URLs, only inline images", "messages");
                                case "usageSoFar" -> io.llmproxy.edge.provider.TokenUsage.NONE;
                                case "usageReported" -> false;
                                case "framing" -> io.llmproxy.edge.provider.StreamFraming.SSE;
                                default -> throw new IllegalStateException("not called before the request: " + method.getName());
                            });
                }
            };
        }
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
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().changeIndex() >= 11);
        synchronized (ClientFormatsIntegrationTest.class) {
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

    HttpResponse<String> send(String method, String path, Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Duration.ofSeconds(30))
                .uri(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> bearer() {
        return Map.of("Authorization", "Bearer " + KEY);
    }

    static Map<String, String> xApiKey() {
        return Map.of("x-api-key", KEY, "anthropic-version", "2023-06-01");
    }

    /** @return n distinct lower-case words: the simulator counts n + 7 prompt tokens for one user message */
    static String words(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : " ").append("word");
        }
        return s.toString();
    }

    record Sse(String event, JsonNode data) {
    }

    List<Sse> sse(String body) {
        List<Sse> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            String event = null;
            String data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                }
            }
            if (data != null) {
                out.add(new Sse(event, json.readTree(data)));
            }
        }
        return out;
    }

    List<JsonNode> ndjson(String body) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                lines.add(json.readTree(line));
            }
        }
        return lines;
    }

    // ---------------------------------------------------------------- Anthropic /v1/messages

    String messages(int words, boolean stream, String model) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":200,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + words(words) + "\"}]}";
    }

    @Test
    void anthropicMessageNonStreamedWithXApiKey() throws Exception {
        HttpResponse<String> response = send("POST", "/v1/messages", xApiKey(), messages(3, false, "gpt-4o-mini"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode message = json.readTree(response.body());
        assertThat(message.get("type").asString()).isEqualTo("message");
        assertThat(message.get("role").asString()).isEqualTo("assistant");
        assertThat(message.get("model").asString()).isEqualTo("sim-gpt-4o-mini");
        assertThat(message.get("stop_reason").asString()).isEqualTo("end_turn");
        assertThat(message.get("content").get(0).get("type").asString()).isEqualTo("text");
        String text = message.get("content").get(0).get("text").asString();
        long output = message.get("usage").get("output_tokens").asLong();
        assertThat(message.get("usage").get("input_tokens").asLong()).isEqualTo(10);
        assertThat(output).isEqualTo(text.split(" ").length);

        UsageRecorded event = usage.await(e -> "kc".equals(e.apiKeyId()) && "messages".equals(e.endpoint()) && !e.stream() && e.promptTokens() == 10);
        assertThat(event.tenantId()).isEqualTo(TENANT);
        assertThat(event.apiKeyId()).isEqualTo("kc");
        assertThat(event.model()).isEqualTo("gpt-4o-mini");
        assertThat(event.providerModel()).isEqualTo("sim-gpt-4o-mini");
        assertThat(event.completionTokens()).isEqualTo(output);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(event.httpStatus()).isEqualTo(200);
    }

    @Test
    void anthropicMessageStreamedWithBearerGivesTheSameTextAsEvents() throws Exception {
        String whole = json.readTree(send("POST", "/v1/messages", bearer(), messages(4, false, "gpt-4o-mini")).body())
                .get("content").get(0).get("text").asString();
        HttpResponse<String> response = send("POST", "/v1/messages", bearer(), messages(4, true, "gpt-4o-mini"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        List<Sse> events = sse(response.body());
        List<String> names = events.stream().map(Sse::event).distinct().toList();
        assertThat(names).containsExactly("message_start", "ping", "content_block_start", "content_block_delta",
                "content_block_stop", "message_delta", "message_stop");
        StringBuilder text = new StringBuilder();
        events.stream().filter(e -> "content_block_delta".equals(e.event()))
                .forEach(e -> text.append(e.data().get("delta").get("text").asString()));
        assertThat(text.toString()).isEqualTo(whole);
        JsonNode delta = events.get(events.size() - 2).data();
        assertThat(delta.get("delta").get("stop_reason").asString()).isEqualTo("end_turn");
        assertThat(delta.get("usage").get("input_tokens").asLong()).isEqualTo(11);
        assertThat(delta.get("usage").get("output_tokens").asLong()).isEqualTo(whole.split(" ").length);
        UsageRecorded event = usage.await(e -> "kc".equals(e.apiKeyId()) && "messages".equals(e.endpoint()) && e.stream() && e.promptTokens() == 11);
        assertThat(event.completionTokens()).isEqualTo(whole.split(" ").length);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
    }

    @Test
    void anthropicToolUseStreamedAndNot() throws Exception {
        String request = "{\"model\":\"tooly\",\"max_tokens\":100,\"stream\":%s,\"tools\":[{\"name\":\"get_weather\","
                + "\"description\":\"Weather\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}}}}],"
                + "\"tool_choice\":{\"type\":\"any\"},\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]}";
        JsonNode message = json.readTree(send("POST", "/v1/messages", xApiKey(), request.formatted(false)).body());
        assertThat(ToolCallUpstream.lastRequest().get("tools").get(0).get("function").get("name").asString()).isEqualTo("get_weather");
        assertThat(ToolCallUpstream.lastRequest().get("tool_choice").asString()).isEqualTo("required");
        assertThat(message.get("stop_reason").asString()).isEqualTo("tool_use");
        assertThat(message.get("content").get(1).get("type").asString()).isEqualTo("tool_use");
        assertThat(message.get("content").get(1).get("name").asString()).isEqualTo("get_weather");
        assertThat(message.get("content").get(1).get("input").get("location").asString()).isEqualTo("San Francisco, CA");
        assertThat(message.get("usage").get("cache_read_input_tokens").asLong()).isEqualTo(400);
        usage.await(e -> "kc".equals(e.apiKeyId()) && "messages".equals(e.endpoint()) && "tooly".equals(e.model()) && !e.stream()
                && e.promptTokens() == 472 && e.completionTokens() == 89 && e.cachedPromptTokens() == 400);

        List<Sse> events = sse(send("POST", "/v1/messages", xApiKey(), request.formatted(true)).body());
        List<JsonNode> starts = events.stream().filter(e -> "content_block_start".equals(e.event())).map(Sse::data).toList();
        assertThat(starts).extracting(s -> s.get("content_block").get("type").asString()).containsExactly("text", "tool_use", "tool_use");
        assertThat(starts.get(1).get("content_block").get("id").asString()).isEqualTo("call_1");
        StringBuilder input = new StringBuilder();
        events.stream().filter(e -> "content_block_delta".equals(e.event()) && e.data().get("index").asInt() == 1)
                .forEach(e -> input.append(e.data().get("delta").get("partial_json").asString()));
        assertThat(json.readTree(input.toString()).get("location").asString()).isEqualTo("Paris");
        assertThat(events.get(events.size() - 2).data().get("delta").get("stop_reason").asString()).isEqualTo("tool_use");
        usage.await(e -> "kc".equals(e.apiKeyId()) && "messages".equals(e.endpoint()) && "tooly".equals(e.model()) && e.stream()
                && e.promptTokens() == 25 && e.completionTokens() == 14);
    }

    @Test
    void anthropicErrorsAreAnthropicErrorJson() throws Exception {
        HttpResponse<String> noKey = send("POST", "/v1/messages", Map.of(), messages(1, false, "gpt-4o-mini"));
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(noKey.body()).isEqualTo("{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
                + "\"message\":\"x-api-key header is required (or Authorization: Bearer <key>)\"}}");
        HttpResponse<String> unknown = send("POST", "/v1/messages", xApiKey(), messages(1, false, "nope"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json.readTree(unknown.body()).get("error").get("type").asString()).isEqualTo("not_found_error");
        HttpResponse<String> noMax = send("POST", "/v1/messages", xApiKey(),
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(noMax.statusCode()).isEqualTo(400);
        assertThat(json.readTree(noMax.body()).get("error").get("type").asString()).isEqualTo("invalid_request_error");
        HttpResponse<String> broken = send("POST", "/v1/messages", xApiKey(), messages(2, false, "broken"));
        assertThat(broken.statusCode()).isEqualTo(502);
        assertThat(json.readTree(broken.body()).get("error").get("type").asString()).isEqualTo("api_error");
        assertThat(broken.body()).contains("sim").doesNotContain("sk-sim-secret");
        usage.await(e -> "kc".equals(e.apiKeyId()) && "messages".equals(e.endpoint()) && "broken".equals(e.model()) && e.httpStatus() == 502
                && e.outcome() == Outcome.UPSTREAM_ERROR);
        usage.await(e -> "kc".equals(e.apiKeyId()) && "messages".equals(e.endpoint()) && "nope".equals(e.model()) && e.httpStatus() == 404);
    }

    @Test
    void anthropicStreamCutByTheProviderEndsWithAnErrorEvent() throws Exception {
        HttpResponse<String> response = send("POST", "/v1/messages", xApiKey(), messages(5, true, "cut"));
        assertThat(response.statusCode()).isEqualTo(200);
        List<Sse> events = sse(response.body());
        Sse last = events.get(events.size() - 1);
        assertThat(last.event()).isEqualTo("error");
        assertThat(last.data().get("error").get("type").asString()).isEqualTo("api_error");
        assertThat(last.data().get("error").get("message").asString()).isEqualTo("recorded ended the stream before it was complete");
        assertThat(events).noneMatch(e -> "message_stop".equals(e.event()));
        UsageRecorded event = usage.await(e -> "kc".equals(e.apiKeyId()) && "messages".equals(e.endpoint()) && "cut".equals(e.model()));
        assertThat(event.outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);
        assertThat(event.httpStatus()).isEqualTo(502);
    }

    @Test
    void openAiRoutesStillAnswerAndUnknownV1PathsStay404() throws Exception {
        HttpResponse<String> chat = send("POST", "/v1/chat/completions", bearer(),
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + words(6) + "\"}]}");
        assertThat(chat.statusCode()).isEqualTo(200);
        assertThat(json.readTree(chat.body()).get("usage").get("prompt_tokens").asLong()).isEqualTo(13);
        HttpResponse<String> unknown = send("POST", "/v1/nothing-here", bearer(), "{}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json.readTree(unknown.body()).get("error").get("code").asString()).isEqualTo("unknown_url");
    }

    @Test
    void aRequestTheProviderCannotTakeIs400InEachClientFormatBeforeAnyUpstreamCall() throws Exception {
        HttpResponse<String> anthropic = send("POST", "/v1/messages", xApiKey(), "{\"model\":\"picky\",\"max_tokens\":5,"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"url\","
                + "\"url\":\"https://example.com/cat.png\"}}]}]}");
        assertThat(anthropic.statusCode()).isEqualTo(400);
        assertThat(anthropic.body()).isEqualTo("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                + "\"message\":\"picky takes no image URLs, only inline images\"}}");
        HttpResponse<String> ollama = send("POST", "/api/chat", bearer(), ollamaChat(1, false, "picky"));
        assertThat(ollama.statusCode()).isEqualTo(400);
        assertThat(ollama.body()).isEqualTo("{\"error\":\"picky takes no image URLs, only inline images\"}");
        UsageRecorded event = usage.await(e -> "kc".equals(e.apiKeyId()) && "messages".equals(e.endpoint()) && "picky".equals(e.model()));
        assertThat(event.httpStatus()).isEqualTo(400);
        assertThat(event.outcome()).isEqualTo(Outcome.CLIENT_ERROR);
        assertThat(event.promptTokens()).isZero();
    }

    @Test
    void aClientLeavingAnOllamaStreamIsBilledOnceAsCancelled() throws Exception {
        HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/chat"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ollamaChat(12, true, "slow"))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.body().read(new byte[64])).isPositive();
        stream.body().close();
        UsageRecorded event = usage.await(e -> "kc".equals(e.apiKeyId()) && "slow".equals(e.model()) && "ollama.chat".equals(e.endpoint()));
        assertThat(event.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(event.httpStatus()).isEqualTo(499);
        assertThat(event.usageEstimated()).isTrue();
        // the edge's estimate: ⌈59 characters / 4⌉ + 4 + 3
        assertThat(event.promptTokens()).isEqualTo(22);
        assertThat(event.completionTokens()).isLessThan(10);
    }

    @Test
    void quotaRefusalsAre429InTheClientsFormatWithRetryAfter() throws Exception {
        Map<String, String> key = Map.of("x-api-key", QUOTA_KEY);
        assertThat(send("POST", "/v1/messages", key, messages(1, false, "gpt-4o-mini")).statusCode()).isEqualTo(200);
        HttpResponse<String> anthropic = send("POST", "/v1/messages", key, messages(1, false, "gpt-4o-mini"));
        assertThat(anthropic.statusCode()).isEqualTo(429);
        assertThat(anthropic.headers().firstValue("retry-after")).isPresent();
        assertThat(anthropic.headers().firstValue("x-ratelimit-limit-requests")).hasValue("1");
        assertThat(json.readTree(anthropic.body()).get("error").get("type").asString()).isEqualTo("rate_limit_error");
        HttpResponse<String> ollama = send("POST", "/api/chat", Map.of("Authorization", "Bearer " + QUOTA_KEY),
                ollamaChat(1, false, "gpt-4o-mini"));
        assertThat(ollama.statusCode()).isEqualTo(429);
        assertThat(ollama.headers().firstValue("retry-after")).isPresent();
        assertThat(json.readTree(ollama.body()).get("error").asString()).contains("requestsPerDay");
        UsageRecorded refused = usage.await(e -> QUOTA_KEY_ID.equals(e.apiKeyId()) && "ollama.chat".equals(e.endpoint()));
        assertThat(refused.httpStatus()).isEqualTo(429);
        assertThat(refused.refusalReason()).startsWith("quota:");
        // refused before any upstream call: nothing to bill, and no estimate either
        assertThat(refused.promptTokens()).isZero();
        assertThat(refused.completionTokens()).isZero();
        assertThat(refused.usageEstimated()).isFalse();
    }

    // ---------------------------------------------------------------- Ollama /api/*

    String ollamaChat(int words, Boolean stream, String model) {
        return "{\"model\":\"" + model + "\"" + (stream == null ? "" : ",\"stream\":" + stream)
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + words(words) + "\"}]}";
    }

    @Test
    void ollamaChatNonStreamed() throws Exception {
        HttpResponse<String> response = send("POST", "/api/chat", bearer(), ollamaChat(7, false, "gpt-4o-mini"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("model").asString()).isEqualTo("gpt-4o-mini");
        assertThat(Instant.parse(body.get("created_at").asString())).isAfter(Instant.now().minusSeconds(60));
        assertThat(body.get("message").get("role").asString()).isEqualTo("assistant");
        String text = body.get("message").get("content").asString();
        assertThat(body.get("done").asBoolean()).isTrue();
        assertThat(body.get("done_reason").asString()).isEqualTo("stop");
        assertThat(body.get("prompt_eval_count").asLong()).isEqualTo(14);
        assertThat(body.get("eval_count").asLong()).isEqualTo(text.split(" ").length);
        assertThat(body.get("total_duration").asLong()).isPositive();
        assertThat(body.get("load_duration").asLong()).isZero();
        UsageRecorded event = usage.await(e -> "kc".equals(e.apiKeyId()) && "ollama.chat".equals(e.endpoint()) && !e.stream() && e.promptTokens() == 14);
        assertThat(event.completionTokens()).isEqualTo(text.split(" ").length);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
    }

    @Test
    void ollamaChatStreamsNdjsonByDefault() throws Exception {
        String whole = json.readTree(send("POST", "/api/chat", bearer(), ollamaChat(8, false, "gpt-4o-mini")).body())
                .get("message").get("content").asString();
        HttpResponse<String> response = send("POST", "/api/chat", bearer(), ollamaChat(8, null, "gpt-4o-mini"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/x-ndjson"));
        List<JsonNode> lines = ndjson(response.body());
        StringBuilder text = new StringBuilder();
        lines.subList(0, lines.size() - 1).forEach(l -> {
            assertThat(l.get("done").asBoolean()).isFalse();
            text.append(l.get("message").get("content").asString());
        });
        assertThat(text.toString()).isEqualTo(whole);
        JsonNode last = lines.get(lines.size() - 1);
        assertThat(last.get("done").asBoolean()).isTrue();
        assertThat(last.get("done_reason").asString()).isEqualTo("stop");
        assertThat(last.get("prompt_eval_count").asLong()).isEqualTo(15);
        assertThat(last.get("eval_count").asLong()).isEqualTo(whole.split(" ").length);
        assertThat(last.get("prompt_eval_duration").asLong()).isPositive();
        usage.await(e -> "kc".equals(e.apiKeyId()) && "ollama.chat".equals(e.endpoint()) && e.stream() && e.promptTokens() == 15
                && e.completionTokens() == whole.split(" ").length);
    }

    @Test
    void ollamaGenerateStreamedAndNot() throws Exception {
        String body = "{\"model\":\"gpt-4o-mini\",\"prompt\":\"" + words(9) + "\",\"options\":{\"num_predict\":5}%s}";
        JsonNode whole = json.readTree(send("POST", "/api/generate", bearer(), body.formatted(",\"stream\":false")).body());
        assertThat(whole.get("response").asString().split(" ")).hasSize(5);
        assertThat(whole.get("done_reason").asString()).isEqualTo("length");
        assertThat(whole.get("prompt_eval_count").asLong()).isEqualTo(16);
        assertThat(whole.get("eval_count").asLong()).isEqualTo(5);
        List<JsonNode> lines = ndjson(send("POST", "/api/generate", bearer(), body.formatted("")).body());
        StringBuilder text = new StringBuilder();
        lines.forEach(l -> text.append(l.get("response").asString()));
        assertThat(text.toString()).isEqualTo(whole.get("response").asString());
        assertThat(lines.get(lines.size() - 1).get("done_reason").asString()).isEqualTo("length");
        usage.await(e -> "kc".equals(e.apiKeyId()) && "ollama.generate".equals(e.endpoint()) && !e.stream() && e.promptTokens() == 16 && e.completionTokens() == 5);
        usage.await(e -> "kc".equals(e.apiKeyId()) && "ollama.generate".equals(e.endpoint()) && e.stream() && e.promptTokens() == 16 && e.completionTokens() == 5);
    }

    @Test
    void ollamaToolCallsStreamedAndNot() throws Exception {
        String request = "{\"model\":\"tooly\",\"stream\":%s,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}}}}}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]}";
        JsonNode whole = json.readTree(send("POST", "/api/chat", bearer(), request.formatted(false)).body());
        JsonNode call = whole.get("message").get("tool_calls").get(0).get("function");
        assertThat(call.get("name").asString()).isEqualTo("get_weather");
        assertThat(call.get("arguments").get("location").asString()).isEqualTo("San Francisco, CA");
        usage.await(e -> "kc".equals(e.apiKeyId()) && "ollama.chat".equals(e.endpoint()) && "tooly".equals(e.model()) && !e.stream() && e.promptTokens() == 472);

        List<JsonNode> lines = ndjson(send("POST", "/api/chat", bearer(), request.formatted(true)).body());
        JsonNode calls = lines.stream().filter(l -> l.get("message").has("tool_calls")).findFirst().orElseThrow()
                .get("message").get("tool_calls");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).get("function").get("arguments").get("location").asString()).isEqualTo("Paris");
        assertThat(calls.get(1).get("function").get("name").asString()).isEqualTo("get_time");
        assertThat(lines.get(lines.size() - 1).get("eval_count").asLong()).isEqualTo(14);
        usage.await(e -> "kc".equals(e.apiKeyId()) && "ollama.chat".equals(e.endpoint()) && "tooly".equals(e.model()) && e.stream() && e.promptTokens() == 25);
    }

    @Test
    void ollamaModelEndpoints() throws Exception {
        JsonNode tags = json.readTree(send("GET", "/api/tags", bearer(), null).body());
        assertThat(tags.get("models")).extracting(m -> m.get("name").asString()).containsExactly("broken", "cut", "gpt-4o-mini", "picky", "slow", "tooly");
        assertThat(tags.get("models").get(2).get("modified_at").asString()).isEqualTo("2026-11-29T10:00:00Z");
        assertThat(tags.get("models").get(2).get("digest").asString()).hasSize(64);
        HttpResponse<String> show = send("POST", "/api/show", bearer(), "{\"model\":\"gpt-4o-mini\"}");
        assertThat(show.statusCode()).isEqualTo(200);
        assertThat(json.readTree(show.body()).get("capabilities").get(0).asString()).isEqualTo("completion");
        HttpResponse<String> missing = send("POST", "/api/show", bearer(), "{\"model\":\"llama9\"}");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"error\":\"model 'llama9' not found\"}");
        HttpResponse<String> version = send("GET", "/api/version", Map.of(), null);
        assertThat(version.body()).isEqualTo("{\"version\":\"0.12.0\"}");
        HttpResponse<String> noKey = send("GET", "/api/tags", Map.of(), null);
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(noKey.body()).isEqualTo("{\"error\":\"unauthorized: this gateway needs an API key, sent as 'Authorization: Bearer <key>'\"}");
    }

    @Test
    void ollamaErrorsAreErrorObjects() throws Exception {
        HttpResponse<String> noKey = send("POST", "/api/chat", Map.of(), ollamaChat(1, false, "gpt-4o-mini"));
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(json.readTree(noKey.body()).get("error").asString()).startsWith("unauthorized");
        HttpResponse<String> unknown = send("POST", "/api/chat", bearer(), ollamaChat(1, false, "llama9"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("{\"error\":\"model 'llama9' not found\"}");
        HttpResponse<String> bad = send("POST", "/api/chat", bearer(), "{\"model\":");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json.readTree(bad.body()).has("error")).isTrue();
        HttpResponse<String> broken = send("POST", "/api/chat", bearer(), ollamaChat(2, false, "broken"));
        assertThat(broken.statusCode()).isEqualTo(502);
        assertThat(json.readTree(broken.body()).get("error").asString()).contains("sim failed (HTTP 500)");
        List<JsonNode> cut = ndjson(send("POST", "/api/chat", bearer(), ollamaChat(3, true, "cut")).body());
        assertThat(cut.get(cut.size() - 1).toString()).isEqualTo("{\"error\":\"recorded ended the stream before it was complete\"}");
        usage.await(e -> "kc".equals(e.apiKeyId()) && "ollama.chat".equals(e.endpoint()) && "cut".equals(e.model()) && e.outcome() == Outcome.UPSTREAM_ERROR);
        usage.await(e -> "kc".equals(e.apiKeyId()) && "ollama.chat".equals(e.endpoint()) && "llama9".equals(e.model()) && e.httpStatus() == 404);
    }

    // ---------------------------------------------------------------- the official Anthropic Java SDK

    com.anthropic.client.AnthropicClient anthropic() {
        return com.anthropic.client.okhttp.AnthropicOkHttpClient.builder().apiKey(SDK_KEY).baseUrl("http://127.0.0.1:" + port)
                .maxRetries(0).build();
    }

    @Test
    void anthropicJavaSdkCreatesAndStreamsMessages() {
        var client = anthropic();
        var params = com.anthropic.models.messages.MessageCreateParams.builder().model("gpt-4o-mini").maxTokens(300)
                .system("Be brief.").addUserMessage(words(10)).build();
        var message = client.messages().create(params);
        String text = message.content().get(0).asText().text();
        // system "Be brief." (4 + 3 tokens) + user (4 + 10) + 3
        assertThat(message.usage().inputTokens()).isEqualTo(24);
        assertThat(message.usage().outputTokens()).isEqualTo(text.split(" ").length);
        assertThat(message.stopReason()).hasValue(com.anthropic.models.messages.StopReason.END_TURN);
        assertThat(message.model().asString()).isEqualTo("sim-gpt-4o-mini");

        var accumulator = com.anthropic.helpers.MessageAccumulator.create();
        try (var stream = client.messages().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        var streamed = accumulator.message();
        assertThat(streamed.content().get(0).asText().text()).isEqualTo(text);
        assertThat(streamed.usage().inputTokens()).isEqualTo(24);
        assertThat(streamed.usage().outputTokens()).isEqualTo(text.split(" ").length);
        assertThat(streamed.stopReason()).hasValue(com.anthropic.models.messages.StopReason.END_TURN);
        usage.await(e -> "ks".equals(e.apiKeyId()) && "messages".equals(e.endpoint()) && !e.stream() && e.promptTokens() == 24);
        usage.await(e -> "ks".equals(e.apiKeyId()) && "messages".equals(e.endpoint()) && e.stream() && e.promptTokens() == 24
                && e.completionTokens() == text.split(" ").length);
    }

    @Test
    void anthropicJavaSdkGetsToolUseBlocksStreamedAndNot() {
        var client = anthropic();
        var tool = com.anthropic.models.messages.Tool.builder().name("get_weather").description("Current weather")
                .inputSchema(com.anthropic.models.messages.Tool.InputSchema.builder()
                        .properties(com.anthropic.core.JsonValue.from(Map.of("location", Map.of("type", "string"))))
                        .addRequired("location").build())
                .build();
        var params = com.anthropic.models.messages.MessageCreateParams.builder().model("tooly").maxTokens(100)
                .addTool(tool).addUserMessage("What is the weather in Paris?").build();
        var message = client.messages().create(params);
        assertThat(message.stopReason()).hasValue(com.anthropic.models.messages.StopReason.TOOL_USE);
        var toolUse = message.content().get(1).asToolUse();
        assertThat(toolUse.id()).isEqualTo("call_1");
        assertThat(toolUse.name()).isEqualTo("get_weather");
        assertThat(toolUse._input().convert(Map.class)).isEqualTo(Map.of("location", "San Francisco, CA"));
        assertThat(message.usage().cacheReadInputTokens()).hasValue(400L);
        assertThat(ToolCallUpstream.lastRequest().get("tools").get(0).get("function").get("parameters").get("required")
                .get(0).asString()).isEqualTo("location");

        var accumulator = com.anthropic.helpers.MessageAccumulator.create();
        try (var stream = client.messages().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        var streamed = accumulator.message();
        assertThat(streamed.content()).hasSize(3);
        assertThat(streamed.content().get(0).asText().text()).isEqualTo("Okay, checking.");
        assertThat(streamed.content().get(1).asToolUse()._input().convert(Map.class)).isEqualTo(Map.of("location", "Paris"));
        assertThat(streamed.content().get(2).asToolUse().name()).isEqualTo("get_time");
        assertThat(streamed.stopReason()).hasValue(com.anthropic.models.messages.StopReason.TOOL_USE);
        assertThat(streamed.usage().outputTokens()).isEqualTo(14);
        usage.await(e -> "ks".equals(e.apiKeyId()) && "tooly".equals(e.model()) && !e.stream() && e.promptTokens() == 472);
        usage.await(e -> "ks".equals(e.apiKeyId()) && "tooly".equals(e.model()) && e.stream() && e.completionTokens() == 14);
    }

    // ---------------------------------------------------------------- the npm `ollama` client (Node)

    /**
     * Runs {@code infra/node-tests} ({@code npm ci}, then {@code node --test}) against this edge: the
     * npm {@code ollama} 0.6.x client with the key in {@code Authorization: Bearer}, and the npm {@code openai} 5.x
     * client's {@code responses.create}, streamed and not. Needs Node 20+
     * and npm on the PATH and the npm registry (or a warm npm cache).
     */
    @Test
    void npmOllamaClientAgainstTheEdge() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of("..", "infra", "node-tests").toAbsolutePath().normalize();
        assertThat(dir.resolve("package-lock.json")).exists();
        run(dir, List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300);
        String out = run(dir, List.of("node", "--test"), Map.of("EDGE_URL", "http://127.0.0.1:" + port, "LLMPROXY_KEY", NODE_KEY), 180);
        assertThat(out).contains("# pass 7").contains("# fail 0");
        UsageRecorded chat = usage.await(e -> "kn".equals(e.apiKeyId()) && "ollama.chat".equals(e.endpoint()) && !e.stream() && e.promptTokens() == 27);
        assertThat(chat.tenantId()).isEqualTo(TENANT);
        assertThat(chat.outcome()).isEqualTo(Outcome.SUCCESS);
        usage.await(e -> "kn".equals(e.apiKeyId()) && "ollama.chat".equals(e.endpoint()) && e.stream() && e.promptTokens() == 28);
        usage.await(e -> "kn".equals(e.apiKeyId()) && "ollama.generate".equals(e.endpoint()) && !e.stream() && e.promptTokens() == 29 && e.completionTokens() == 3);
        usage.await(e -> "kn".equals(e.apiKeyId()) && "ollama.chat".equals(e.endpoint()) && "tooly".equals(e.model()) && e.stream()
                && e.promptTokens() == 25 && e.completionTokens() == 14 && "kn".equals(e.apiKeyId()));
        // the npm `openai` client's responses.create (responses.test.mjs)
        UsageRecorded responses = usage.await(e -> "kn".equals(e.apiKeyId()) && "responses".equals(e.endpoint()) && !e.stream()
                && e.promptTokens() == 30);
        assertThat(responses.outcome()).isEqualTo(Outcome.SUCCESS);
        usage.await(e -> "kn".equals(e.apiKeyId()) && "responses".equals(e.endpoint()) && e.stream() && e.promptTokens() == 30
                && e.completionTokens() == responses.completionTokens());
        usage.await(e -> "kn".equals(e.apiKeyId()) && "responses".equals(e.endpoint()) && "tooly".equals(e.model()) && e.stream()
                && e.completionTokens() == 14);
    }

    /** @return the process output; fails the test on a non-zero exit or a timeout */
    static String run(java.nio.file.Path dir, List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
        java.nio.file.Path log = java.nio.file.Files.createTempFile("node-tests", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (java.io.IOException e) {
            throw new AssertionError(command.get(0) + " is not installed: the client-format tests need Node 20+ and npm", e);
        }
        boolean exited = process.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String out = java.nio.file.Files.readString(log);
        java.nio.file.Files.deleteIfExists(log);
        assertThat(exited).as("%s timed out:%n%s", command, out).isTrue();
        assertThat(process.exitValue()).as("%s failed:%n%s", command, out).isZero();
        return out;
    }
}
