package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
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
 * Client → edge → upstream simulator for the {@code ollama} and {@code cohere} provider types (chat,
 * stream, tools, errors, mid-stream faults) and for embeddings through {@code POST /v1/embeddings}
 * (openai, ollama, cohere) and Ollama's {@code POST /api/embed}, each asserting its one usage event
 * on the embedded Kafka broker. Token counts are the simulator's documented sim-tokenizer values.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms"})
@EmbeddedKafka(partitions = 3, topics = UsageRecorded.TOPIC)
class EdgeOllamaCohereEmbeddingsTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String TENANT = "tenant-up2-" + java.util.UUID.randomUUID();
    static final String KEY = ApiKeys.generate();
    static final String PROVIDER_SECRET = "sk-sim-provider-secret-up2";
    static final String[][] ROUTES = {
            {"llama", "p-ollama", "llama3.2"},
            {"llama-tools", "p-ollama", "sim-tool-call"},
            {"llama-broken", "p-ollama", "sim-error-500"},
            {"llama-busy", "p-ollama", "sim-error-429"},
            {"llama-midstream", "p-ollama", "sim-midstream-error"},
            {"llama-cut", "p-ollama", "sim-cut"},
            {"llama-embed", "p-ollama", "nomic-embed-text"},
            {"command", "p-cohere", "command-a"},
            {"command-tools", "p-cohere", "sim-tool-call"},
            {"command-busy", "p-cohere", "sim-error-429"},
            {"command-bad", "p-cohere", "sim-error-400"},
            {"command-midstream", "p-cohere", "sim-midstream-error"},
            {"command-cut", "p-cohere", "sim-cut"},
            {"embed-cohere", "p-cohere", "embed-v4.0"},
            {"embed-openai", "p-openai", "text-embedding-3-small"},
            {"embed-ollama-b64", "p-ollama", "nomic-embed-text"},
            {"embed-cohere-ollama-client", "p-cohere", "embed-v4.0"},
            {"embed-ollama-client", "p-ollama", "nomic-embed-text"},
            {"embed-missing", "p-ollama", "sim-error-404"},
    };
    static int simulatorPort;
    static String dbUrl;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        simulatorPort = SimulatorServer.port();
        dbUrl = ReadModelDatabase.create("llmproxy_edge_up2_it");
        JdbcTemplate jdbc = ReadModelDatabase.jdbc(dbUrl);
        SecretCipher cipher = new SecretCipher(SECRET);
        Timestamp t0 = Timestamp.from(Instant.parse("2026-11-29T10:00:00Z"));
        jdbc.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'up2', ?, 1)", TENANT, t0);
        jdbc.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, "
                + "change_index) VALUES (?, ?, ?, ?, ?, 'ACTIVE', ?, ?)", "k-up2", TENANT, "ci", ApiKeys.hash(KEY),
                ApiKeys.displayPrefix(KEY), t0, 2);
        String provider = "INSERT INTO rm_provider VALUES (?, ?, ?, ?, ?, ?, ?)";
        String base = "http://127.0.0.1:" + simulatorPort;
        jdbc.update(provider, "p-ollama", "ollama-sim", "ollama", base + "/", cipher.encrypt(""), t0, 3);
        jdbc.update(provider, "p-cohere", "cohere-sim", "cohere", base, cipher.encrypt(PROVIDER_SECRET), t0, 4);
        jdbc.update(provider, "p-openai", "openai-sim", "openai", base + "/v1", cipher.encrypt(PROVIDER_SECRET), t0, 5);
        String route = "INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES (?, ?, ?::jsonb, ?, ?)";
        int change = 10;
        for (String[] r : ROUTES) {
            jdbc.update(route, r[0], r[0], "[{\"providerId\":\"" + r[1] + "\",\"model\":\"" + r[2] + "\"}]", t0, change++);
        }
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
    static final List<UsageRecorded> usage = new CopyOnWriteArrayList<>();
    static Thread consumerThread;

    @BeforeEach
    void snapshotLoaded() {
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().changeIndex() >= 10 + ROUTES.length - 1);
    }

    // ---------------------------------------------------------------- ollama chat

    @Test
    void ollamaChatNotStreamed() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("llama", "Hello ollama one", false, ""));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("object").asString()).isEqualTo("chat.completion");
        assertThat(body.get("model").asString()).isEqualTo("llama3.2");
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("message").get("role").asString()).isEqualTo("assistant");
        String content = choice.get("message").get("content").asString();
        assertThat(choice.get("finish_reason").asString()).isEqualTo("stop");
        // 3 + (4 + 3 tokens): the simulator's rule; completion = one sim token per word
        assertThat(body.get("usage").get("prompt_tokens").asLong()).isEqualTo(10);
        long completion = body.get("usage").get("completion_tokens").asLong();
        assertThat(content.split(" ")).hasSize((int) completion);
        assertThat(body.get("usage").get("total_tokens").asLong()).isEqualTo(10 + completion);

        UsageRecorded event = awaitUsage(e -> "llama".equals(e.model()) && !e.stream() && e.httpStatus() == 200
                && e.promptTokens() == 10);
        assertThat(event.providerId()).isEqualTo("p-ollama");
        assertThat(event.providerModel()).isEqualTo("llama3.2");
        assertThat(event.promptTokens()).isEqualTo(10);
        assertThat(event.completionTokens()).isEqualTo(completion);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(event.usageEstimated()).isFalse();
    }

    @Test
    void ollamaChatStreamedIsTranslatedFromNdjsonToOpenAiChunks() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("llama", "Hello ollama two", true,
                ",\"stream_options\":{\"include_usage\":true}"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
        List<JsonNode> chunks = dataEvents(response.body());
        assertThat(chunks.get(0).get("choices").get(0).get("delta").get("role").asString()).isEqualTo("assistant");
        StringBuilder text = new StringBuilder();
        long contentChunks = 0;
        for (JsonNode chunk : chunks) {
            assertThat(chunk.get("object").asString()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.get("id").asString()).isEqualTo(chunks.get(0).get("id").asString());
            JsonNode choices = chunk.get("choices");
            if (!choices.isEmpty() && !choices.get(0).get("delta").path("content").asString("").isEmpty()) {
                text.append(choices.get(0).get("delta").get("content").asString());
                contentChunks++;
            }
        }
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertThat(finish.get("choices").get(0).get("finish_reason").asString()).isEqualTo("stop");
        JsonNode usageChunk = chunks.get(chunks.size() - 1);
        assertThat(usageChunk.get("choices")).isEmpty();
        assertThat(usageChunk.get("usage").get("prompt_tokens").asLong()).isEqualTo(10);
        assertThat(usageChunk.get("usage").get("completion_tokens").asLong()).isEqualTo(contentChunks);
        assertThat(text.toString().split(" ")).hasSize((int) contentChunks);

        UsageRecorded event = awaitUsage(e -> "llama".equals(e.model()) && e.stream());
        assertThat(event.promptTokens()).isEqualTo(10);
        assertThat(event.completionTokens()).isEqualTo(contentChunks);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
    }

    @Test
    void ollamaToolCallsGetStableIdsAndStringArguments() throws Exception {
        String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}]";
        HttpResponse<String> whole = post("/v1/chat/completions", chat("llama-tools", "weather in Paris", false, tools));
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        JsonNode choice = json.readTree(whole.body()).get("choices").get(0);
        assertThat(choice.get("finish_reason").asString()).isEqualTo("tool_calls");
        JsonNode call = choice.get("message").get("tool_calls").get(0);
        assertThat(call.get("id").asString()).matches("call_[0-9a-f]{24}");
        assertThat(call.get("type").asString()).isEqualTo("function");
        assertThat(call.get("function").get("name").asString()).isEqualTo("get_weather");
        assertThat(json.readTree(call.get("function").get("arguments").asString()).get("query").asString())
                .isEqualTo("weather in Paris");

        HttpResponse<String> streamed = post("/v1/chat/completions", chat("llama-tools", "weather in Paris", true, tools));
        assertThat(streamed.statusCode()).isEqualTo(200);
        List<JsonNode> chunks = dataEvents(streamed.body());
        JsonNode delta = chunks.stream().filter(c -> c.get("choices").get(0).get("delta").has("tool_calls")).findFirst()
                .orElseThrow().get("choices").get(0).get("delta").get("tool_calls").get(0);
        assertThat(delta.get("index").asInt()).isZero();
        assertThat(delta.get("id").asString()).isEqualTo(call.get("id").asString());
        assertThat(delta.get("function").get("name").asString()).isEqualTo("get_weather");
        assertThat(delta.get("function").get("arguments").asString()).isEqualTo(call.get("function").get("arguments").asString());
        assertThat(chunks.get(chunks.size() - 1).get("choices").get(0).get("finish_reason").asString()).isEqualTo("tool_calls");
        assertThat(streamed.body()).endsWith("data: [DONE]\n\n");
        // {"query":"weather in Paris"}: { " query " : " weather in Paris " } = 11 sim tokens
        assertThat(awaitUsage(e -> "llama-tools".equals(e.model()) && e.stream()).completionTokens()).isEqualTo(11);
    }

    @Test
    void ollamaRefusesImageUrlsWith400BeforeAnyUpstreamCall() throws Exception {
        String body = "{\"model\":\"llama\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.png\"}}]}]}";
        HttpResponse<String> response = post("/v1/chat/completions", body);
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = json.readTree(response.body()).get("error");
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").asString()).isEqualTo("messages");
        assertThat(error.get("message").asString()).contains("ollama-sim").contains("data: URLs");
        UsageRecorded event = awaitUsage(e -> "llama".equals(e.model()) && e.httpStatus() == 400);
        assertThat(event.outcome()).isEqualTo(Outcome.CLIENT_ERROR);
    }

    @Test
    void ollamaInlineImagesPassAsBase64() throws Exception {
        String body = "{\"model\":\"llama\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what image\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}}]}]}";
        HttpResponse<String> response = post("/v1/chat/completions", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        // 3 + (4 + 2 text tokens + 85 per image): the simulator counts Ollama's images
        assertThat(json.readTree(response.body()).get("usage").get("prompt_tokens").asLong()).isEqualTo(94);
    }

    @Test
    void ollamaErrorsMapToOpenAiErrorsNamingTheProvider() throws Exception {
        HttpResponse<String> broken = post("/v1/chat/completions", chat("llama-broken", "hi", false, ""));
        assertThat(broken.statusCode()).isEqualTo(502);
        JsonNode error = json.readTree(broken.body()).get("error");
        assertThat(error.get("code").asString()).isEqualTo("upstream_error");
        assertThat(error.get("message").asString())
                .isEqualTo("ollama-sim failed (HTTP 500): an error was encountered while running the model (simulated)");
        assertThat(awaitUsage(e -> "llama-broken".equals(e.model())).outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);

        HttpResponse<String> busy = post("/v1/chat/completions", chat("llama-busy", "hi", true, ""));
        assertThat(busy.statusCode()).isEqualTo(429);
        assertThat(busy.headers().firstValue("retry-after")).hasValue("1");
        assertThat(json.readTree(busy.body()).get("error").get("code").asString()).isEqualTo("rate_limit_exceeded");
        assertThat(busy.body()).contains("ollama-sim").doesNotContain(PROVIDER_SECRET);
        assertThat(awaitUsage(e -> "llama-busy".equals(e.model())).outcome()).isEqualTo(Outcome.CLIENT_ERROR);
    }

    @Test
    void ollamaMidStreamErrorEndsWithAnOpenAiErrorEventAndUpstreamErrorUsage() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("llama-midstream", "Hello fault", true, ""));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).doesNotContain("[DONE]");
        List<JsonNode> events = dataEvents(response.body());
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.get("error").get("code").asString()).isEqualTo("upstream_error");
        assertThat(last.get("error").get("message").asString()).startsWith("ollama-sim failed mid-stream: an error was encountered");
        long contentChunks = events.stream().filter(e -> e.has("choices")
                && !e.get("choices").get(0).get("delta").path("content").asString("").isEmpty()).count();
        assertThat(contentChunks).isPositive();
        UsageRecorded event = awaitUsage(e -> "llama-midstream".equals(e.model()));
        assertThat(event.outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);
        assertThat(event.httpStatus()).isEqualTo(502);
        assertThat(event.completionTokens()).isEqualTo(contentChunks);
        assertThat(event.promptTokens()).isEqualTo(10); // the edge's estimate: ⌈11/4⌉ + 4 + 3 (provider never reported)
        assertThat(event.usageEstimated()).isTrue();

        HttpResponse<String> cut = post("/v1/chat/completions", chat("llama-cut", "Hello cut", true, ""));
        JsonNode cutLast = dataEvents(cut.body()).getLast();
        assertThat(cutLast.get("error").get("code").asString()).isEqualTo("upstream_stream_ended");
        assertThat(awaitUsage(e -> "llama-cut".equals(e.model())).outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);
    }

    // ---------------------------------------------------------------- cohere chat

    @Test
    void cohereChatNotStreamed() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("command", "Hello cohere one", false, ""));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("object").asString()).isEqualTo("chat.completion");
        assertThat(body.get("model").asString()).isEqualTo("command-a");
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("finish_reason").asString()).isEqualTo("stop");
        long completion = body.get("usage").get("completion_tokens").asLong();
        assertThat(choice.get("message").get("content").asString().split(" ")).hasSize((int) completion);
        // billed_units (10), not tokens (10 + 7 template tokens)
        assertThat(body.get("usage").get("prompt_tokens").asLong()).isEqualTo(10);
        UsageRecorded event = awaitUsage(e -> "command".equals(e.model()) && !e.stream());
        assertThat(event.providerId()).isEqualTo("p-cohere");
        assertThat(event.promptTokens()).isEqualTo(10);
        assertThat(event.completionTokens()).isEqualTo(completion);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
    }

    @Test
    void cohereChatStreamedIsTranslatedToOpenAiChunks() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("command", "Hello cohere two", true, ""));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
        List<JsonNode> chunks = dataEvents(response.body());
        assertThat(chunks.get(0).get("choices").get(0).get("delta").get("role").asString()).isEqualTo("assistant");
        long contentChunks = chunks.stream().filter(c -> !c.get("choices").get(0).get("delta").path("content").asString("").isEmpty()).count();
        JsonNode last = chunks.get(chunks.size() - 1);
        assertThat(last.get("choices").get(0).get("finish_reason").asString()).isEqualTo("stop");
        assertThat(last.has("usage")).isFalse(); // the client did not ask for include_usage
        UsageRecorded event = awaitUsage(e -> "command".equals(e.model()) && e.stream());
        assertThat(event.promptTokens()).isEqualTo(10);
        assertThat(event.completionTokens()).isEqualTo(contentChunks);
        assertThat(event.usageEstimated()).isFalse();
    }

    @Test
    void cohereToolCallsStreamAsOpenAiToolCallDeltas() throws Exception {
        String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"parameters\":{\"type\":\"object\"}}}]";
        HttpResponse<String> streamed = post("/v1/chat/completions", chat("command-tools", "order 42 status", true, tools));
        assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(200);
        List<JsonNode> deltas = new ArrayList<>();
        for (JsonNode chunk : dataEvents(streamed.body())) {
            JsonNode calls = chunk.get("choices").get(0).get("delta").get("tool_calls");
            if (calls != null) {
                deltas.add(calls.get(0));
            }
        }
        assertThat(deltas.size()).isGreaterThan(2);
        assertThat(deltas.get(0).get("id").asString()).startsWith("lookup_");
        assertThat(deltas.get(0).get("function").get("name").asString()).isEqualTo("lookup");
        StringBuilder arguments = new StringBuilder();
        for (int i = 0; i < deltas.size(); i++) {
            assertThat(deltas.get(i).get("index").asInt()).isZero();
            if (i > 0) {
                assertThat(deltas.get(i).has("id")).isFalse();
                assertThat(deltas.get(i).get("function").has("name")).isFalse();
            }
            arguments.append(deltas.get(i).get("function").get("arguments").asString());
        }
        assertThat(json.readTree(arguments.toString()).get("query").asString()).isEqualTo("order 42 status");
        List<JsonNode> chunks = dataEvents(streamed.body());
        assertThat(chunks.getLast().get("choices").get(0).get("finish_reason").asString()).isEqualTo("tool_calls");

        HttpResponse<String> whole = post("/v1/chat/completions", chat("command-tools", "order 42 status", false, tools));
        JsonNode choice = json.readTree(whole.body()).get("choices").get(0);
        assertThat(choice.get("finish_reason").asString()).isEqualTo("tool_calls");
        assertThat(choice.get("message").get("content").isNull()).isTrue();
        JsonNode call = choice.get("message").get("tool_calls").get(0);
        assertThat(call.get("id").asString()).isEqualTo(deltas.get(0).get("id").asString());
        assertThat(call.get("function").get("arguments").asString()).isEqualTo(arguments.toString());
        // tool plan "I will call lookup." (5) + {"query":"order 42 status"} (11)
        assertThat(awaitUsage(e -> "command-tools".equals(e.model()) && !e.stream()).completionTokens()).isEqualTo(16);
    }

    @Test
    void cohereErrorsKeepRetryAfterAndNeverTheKey() throws Exception {
        HttpResponse<String> busy = post("/v1/chat/completions", chat("command-busy", "hi", false, ""));
        assertThat(busy.statusCode()).isEqualTo(429);
        assertThat(busy.headers().firstValue("retry-after")).hasValue("1");
        JsonNode error = json.readTree(busy.body()).get("error");
        assertThat(error.get("type").asString()).isEqualTo("rate_limit_error");
        assertThat(error.get("message").asString()).startsWith("cohere-sim is rate limiting (HTTP 429): You are using a Trial key");
        assertThat(busy.body()).doesNotContain(PROVIDER_SECRET);

        HttpResponse<String> bad = post("/v1/chat/completions", chat("command-bad", "hi", true, ""));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json.readTree(bad.body()).get("error").get("message").asString())
                .isEqualTo("cohere-sim rejected the request (HTTP 400): invalid request: simulated bad request");
        assertThat(awaitUsage(e -> "command-bad".equals(e.model())).outcome()).isEqualTo(Outcome.CLIENT_ERROR);
    }

    @Test
    void cohereMidStreamErrorEndsWithAnOpenAiErrorEvent() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("command-midstream", "Hello fault", true, ""));
        assertThat(response.body()).doesNotContain("[DONE]");
        JsonNode last = dataEvents(response.body()).getLast();
        assertThat(last.get("error").get("message").asString()).startsWith("cohere-sim failed mid-stream: finish_reason ERROR");
        UsageRecorded event = awaitUsage(e -> "command-midstream".equals(e.model()));
        assertThat(event.outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);
        assertThat(event.httpStatus()).isEqualTo(502);

        HttpResponse<String> cut = post("/v1/chat/completions", chat("command-cut", "Hello cut", true, ""));
        assertThat(dataEvents(cut.body()).getLast().get("error").get("code").asString()).isEqualTo("upstream_stream_ended");
        assertThat(awaitUsage(e -> "command-cut".equals(e.model())).outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);
    }

    // ---------------------------------------------------------------- embeddings

    @Test
    void openAiEmbeddingsThroughEachProviderGiveTheSameVectorsAndOneUsageEventEach() throws Exception {
        String input = "\"input\":[\"hello world\",\"the quick fox\"]";
        List<JsonNode> answers = new ArrayList<>();
        for (String model : List.of("embed-openai", "llama-embed", "embed-cohere")) {
            HttpResponse<String> response = post("/v1/embeddings", "{\"model\":\"" + model + "\"," + input + "}");
            assertThat(response.statusCode()).as(model + ": " + response.body()).isEqualTo(200);
            JsonNode body = json.readTree(response.body());
            assertThat(body.get("object").asString()).isEqualTo("list");
            assertThat(body.get("data")).hasSize(2);
            assertThat(body.get("data").get(1).get("object").asString()).isEqualTo("embedding");
            assertThat(body.get("data").get(1).get("index").asInt()).isEqualTo(1);
            assertThat(body.get("data").get(0).get("embedding")).hasSize(8);
            // "hello world" (2) + "the quick fox" (3) sim tokens
            assertThat(body.get("usage").get("prompt_tokens").asLong()).isEqualTo(5);
            assertThat(body.get("usage").get("total_tokens").asLong()).isEqualTo(5);
            answers.add(body);
            UsageRecorded event = awaitUsage(e -> model.equals(e.model()) && "embeddings".equals(e.endpoint()));
            assertThat(event.promptTokens()).isEqualTo(5);
            assertThat(event.completionTokens()).isZero();
            assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(event.httpStatus()).isEqualTo(200);
            assertThat(event.usageEstimated()).isFalse();
        }
        double norm = 0;
        for (JsonNode v : answers.get(0).get("data").get(0).get("embedding")) {
            norm += v.asDouble() * v.asDouble();
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(answers.get(1).get("data")).isEqualTo(answers.get(0).get("data"));
        assertThat(answers.get(2).get("data")).isEqualTo(answers.get(0).get("data"));
    }

    @Test
    void base64EncodingFormatIsFloat32LittleEndian() throws Exception {
        HttpResponse<String> floats = post("/v1/embeddings", "{\"model\":\"llama-embed\",\"input\":\"base sixty four\"}");
        HttpResponse<String> b64 = post("/v1/embeddings",
                "{\"model\":\"embed-ollama-b64\",\"input\":\"base sixty four\",\"encoding_format\":\"base64\"}");
        assertThat(b64.statusCode()).as(b64.body()).isEqualTo(200);
        byte[] raw = Base64.getDecoder().decode(json.readTree(b64.body()).get("data").get(0).get("embedding").asString());
        assertThat(raw).hasSize(32);
        ByteBuffer buffer = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        JsonNode expected = json.readTree(floats.body()).get("data").get(0).get("embedding");
        for (int i = 0; i < 8; i++) {
            assertThat(buffer.getFloat()).isEqualTo((float) expected.get(i).asDouble());
        }
        assertThat(awaitUsage(e -> "embed-ollama-b64".equals(e.model())).promptTokens()).isEqualTo(3);
    }

    @Test
    void embeddingsErrorsAreOpenAiJson() throws Exception {
        HttpResponse<String> unknown = post("/v1/embeddings", "{\"model\":\"no-such-model\",\"input\":\"x\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json.readTree(unknown.body()).get("error").get("code").asString()).isEqualTo("model_not_found");

        HttpResponse<String> noKey = send("/v1/embeddings", null, "{\"model\":\"llama-embed\",\"input\":\"x\"}");
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(json.readTree(noKey.body()).get("error").get("code").asString()).isEqualTo("invalid_api_key");

        HttpResponse<String> tokens = post("/v1/embeddings", "{\"model\":\"embed-cohere\",\"input\":[[1,2,3]]}");
        assertThat(tokens.statusCode()).isEqualTo(400);
        JsonNode error = json.readTree(tokens.body()).get("error");
        assertThat(error.get("param").asString()).isEqualTo("input");
        assertThat(error.get("message").asString()).contains("cohere").contains("token arrays");
        UsageRecorded refused = awaitUsage(e -> "embed-cohere".equals(e.model()) && e.httpStatus() == 400);
        assertThat(refused.outcome()).isEqualTo(Outcome.CLIENT_ERROR);
        assertThat(refused.endpoint()).isEqualTo("embeddings");

        HttpResponse<String> missing = post("/v1/embeddings", "{\"model\":\"embed-missing\",\"input\":\"x\"}");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json.readTree(missing.body()).get("error").get("message").asString())
                .isEqualTo("ollama-sim rejected the request (HTTP 404): model 'sim-error-404' not found (simulated)");
    }

    @Test
    void ollamaApiEmbedAnswersInOllamaShapeForAnyProvider() throws Exception {
        for (String model : List.of("embed-ollama-client", "embed-cohere-ollama-client")) {
            HttpResponse<String> response = post("/api/embed", "{\"model\":\"" + model + "\",\"input\":[\"why is the sky blue\",\"why\"]}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode body = json.readTree(response.body());
            assertThat(body.get("model").asString()).isEqualTo(model);
            assertThat(body.get("embeddings")).hasSize(2);
            assertThat(body.get("embeddings").get(0)).hasSize(8);
            assertThat(body.get("prompt_eval_count").asLong()).isEqualTo(6);
            assertThat(body.get("total_duration").asLong()).isPositive();
            assertThat(body.get("load_duration").asLong()).isZero();
            UsageRecorded event = awaitUsage(e -> model.equals(e.model()));
            assertThat(event.endpoint()).isEqualTo("embeddings");
            assertThat(event.promptTokens()).isEqualTo(6);
            assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
        }
    }

    @Test
    void ollamaApiEmbedErrorsAreOllamaJson() throws Exception {
        HttpResponse<String> noKey = send("/api/embed", null, "{\"model\":\"embed-ollama-client\",\"input\":\"x\"}");
        assertThat(noKey.statusCode()).isEqualTo(401);
        JsonNode body = json.readTree(noKey.body());
        assertThat(body.properties()).hasSize(1);
        assertThat(body.get("error").asString()).startsWith("You didn't provide an API key.");

        HttpResponse<String> unknown = post("/api/embed", "{\"model\":\"nope\",\"input\":\"x\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json.readTree(unknown.body()).get("error").asString()).isEqualTo("The model `nope` does not exist or you do not have access to it.");

        HttpResponse<String> noInput = post("/api/embed", "{\"model\":\"embed-ollama-client\"}");
        assertThat(noInput.statusCode()).isEqualTo(400);
        assertThat(json.readTree(noInput.body()).get("error").asString()).contains("input");
    }

    // ---------------------------------------------------------------- plumbing

    static String chat(String model, String content, boolean stream, String extra) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + extra
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return send(path, KEY, body);
    }

    HttpResponse<String> send(String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Duration.ofSeconds(30))
                .uri(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
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

    UsageRecorded awaitUsage(Predicate<UsageRecorded> match) {
        startConsumer();
        await().atMost(Duration.ofSeconds(20)).until(() -> usage.stream().anyMatch(match));
        List<UsageRecorded> found = usage.stream().filter(match).toList();
        assertThat(found).hasSize(1);
        assertThat(found.get(0).tenantId()).isEqualTo(TENANT);
        assertThat(found.get(0).apiKeyId()).isEqualTo("k-up2");
        return found.get(0);
    }

    void startConsumer() {
        synchronized (EdgeOllamaCohereEmbeddingsTest.class) {
            if (consumerThread != null) {
                return;
            }
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "edge-up2-test");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            consumerThread = new Thread(() -> {
                try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
                    consumer.subscribe(List.of(UsageRecorded.TOPIC));
                    while (!Thread.currentThread().isInterrupted()) {
                        consumer.poll(Duration.ofMillis(200)).forEach(r -> usage.add(json.readValue(r.value(), UsageRecorded.class)));
                    }
                } catch (org.apache.kafka.common.errors.InterruptException e) {
                    // test over
                }
            }, "usage-up2-consumer");
            consumerThread.setDaemon(true);
            consumerThread.start();
        }
    }
}
