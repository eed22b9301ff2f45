package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
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
 * OpenAI-format clients through the edge to the simulator speaking Anthropic Messages, Azure OpenAI
 * and Mistral: chat streamed and not, tool calls, error mapping, mid-stream faults and usage events,
 * on real PostgreSQL (read model), real Redis (quotas) and an embedded KRaft Kafka.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgeProvidersIntegrationTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String TENANT = "tenant-providers-" + java.util.UUID.randomUUID();
    static final String KEY = ApiKeys.generate();
    static final String PROVIDER_SECRET = "sk-provider-secret-never-shown-42";
    static final Map<String, String> ROUTES = new LinkedHashMap<>();
    static String dbUrl;

    static {
        ROUTES.put("claude", "p-ant:sim-gpt-4o-mini");
        ROUTES.put("claude-tools", "p-ant:sim-tools");
        ROUTES.put("claude-cached", "p-ant:sim-cache-6");
        ROUTES.put("claude-overloaded", "p-ant:sim-error-529");
        ROUTES.put("claude-limited", "p-ant:sim-error-429");
        ROUTES.put("claude-fault", "p-ant:sim-fault-midstream-error");
        ROUTES.put("azure", "p-az:sim-gpt-4o-mini");
        ROUTES.put("azure-tools", "p-az:sim-tools-deployment");
        ROUTES.put("azure-limited", "p-az:sim-error-429");
        ROUTES.put("azure-cut", "p-az:sim-fault-cut");
        ROUTES.put("mistral", "p-mis:sim-gpt-4o-mini");
        ROUTES.put("mistral-tools", "p-mis:sim-tools");
        ROUTES.put("mistral-broken", "p-mis:sim-error-500");
        ROUTES.put("mistral-fault", "p-mis:sim-fault-midstream-error");
        ROUTES.put("openai-tools", "p-oai:sim-tools");
        ROUTES.put("openai-fault", "p-oai:sim-fault-midstream-error");
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        int sim = SimulatorServer.port();
        dbUrl = ReadModelDatabase.create("llmproxy_edge_providers");
        JdbcTemplate jdbc = ReadModelDatabase.jdbc(dbUrl);
        SecretCipher cipher = new SecretCipher(SECRET);
        Timestamp t0 = Timestamp.from(Instant.parse("2026-11-29T10:00:00Z"));
        jdbc.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'providers', ?, 1)", TENANT, t0);
        jdbc.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES ('k1', ?, 'ci', ?, ?, 'ACTIVE', ?, 2)", TENANT, ApiKeys.hash(KEY), ApiKeys.displayPrefix(KEY), t0);
        String provider = "INSERT INTO rm_provider (provider_id, name, type, base_url, api_key_ciphertext, created_at, change_index) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)";
        jdbc.update(provider, "p-ant", "anthropic-sim", "anthropic", "http://127.0.0.1:" + sim, cipher.encrypt(PROVIDER_SECRET), t0, 3);
        jdbc.update(provider, "p-az", "azure-sim", "azure-openai", "http://127.0.0.1:" + sim + "/openai/", cipher.encrypt(PROVIDER_SECRET), t0, 4);
        jdbc.update(provider, "p-mis", "mistral-sim", "mistral", "http://127.0.0.1:" + sim + "/mistral/v1", cipher.encrypt(PROVIDER_SECRET), t0, 5);
        jdbc.update(provider, "p-oai", "openai-sim", "openai", "http://127.0.0.1:" + sim + "/v1", cipher.encrypt(PROVIDER_SECRET), t0, 6);
        long index = 10;
        for (Map.Entry<String, String> route : ROUTES.entrySet()) {
            String[] target = route.getValue().split(":");
            jdbc.update("INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES (?, ?, ?::jsonb, ?, ?)",
                    route.getKey(), route.getKey(), "[{\"providerId\":\"" + target[0] + "\",\"model\":\"" + target[1] + "\"}]", t0, index++);
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

    static UsageConsumer usage;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void ready() {
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().changeIndex() >= 10 + ROUTES.size() - 1);
        if (usage == null) {
            usage = new UsageConsumer(broker.getBrokersAsString(), json);
        }
    }

    @AfterAll
    static void closeConsumer() {
        if (usage != null) {
            usage.close();
            usage = null;
        }
    }

    HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30))
                .uri(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String chat(String model, String content, boolean stream, String extra) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream
                + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "") + extra
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

    static String streamedText(List<JsonNode> events) {
        StringBuilder text = new StringBuilder();
        events.forEach(e -> e.path("choices").forEach(c -> text.append(c.path("delta").path("content").asString(""))));
        return text.toString();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"claude", "azure", "mistral"})
    void chatStreamedAndNotGivesTheSameAnswerAsTheOpenAiFormatAndRecordsUsage(String model) throws Exception {
        HttpResponse<String> whole = post(chat(model, "Hello edge one", false, ""));
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        JsonNode body = json.readTree(whole.body());
        assertThat(body.get("object").asString()).isEqualTo("chat.completion");
        assertThat(body.get("model").asString()).isEqualTo("sim-gpt-4o-mini");
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("finish_reason").asString()).isEqualTo("stop");
        String content = choice.get("message").get("content").asString();
        // the simulator's plan depends only on model + messages: every format answers the same words
        assertThat(content.split(" ")).hasSize((int) body.get("usage").get("completion_tokens").asLong());
        // "Hello edge one": 3 tokens + 4 per message + 3 (the simulator's documented rule)
        assertThat(body.get("usage").get("prompt_tokens").asLong()).isEqualTo(10);
        long completion = body.get("usage").get("completion_tokens").asLong();
        UsageRecorded event = usage.await(e -> model.equals(e.model()) && !e.stream() && e.promptTokens() == 10);
        assertThat(event.completionTokens()).isEqualTo(completion);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(event.providerModel()).isEqualTo("sim-gpt-4o-mini");

        HttpResponse<String> streamed = post(chat(model, "Hello edge one", true, ""));
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        assertThat(streamed.body()).endsWith("data: [DONE]\n\n");
        List<JsonNode> events = dataEvents(streamed.body());
        assertThat(events).allSatisfy(e -> assertThat(e.get("object").asString()).isEqualTo("chat.completion.chunk"));
        assertThat(streamedText(events)).isEqualTo(content);
        JsonNode last = events.getLast();
        assertThat(last.get("choices")).isEmpty();
        assertThat(last.get("usage").get("prompt_tokens").asLong()).isEqualTo(10);
        assertThat(last.get("usage").get("completion_tokens").asLong()).isEqualTo(completion);
        assertThat(events.get(events.size() - 2).get("choices").get(0).get("finish_reason").asString()).isEqualTo("stop");
        UsageRecorded streamedEvent = usage.await(e -> model.equals(e.model()) && e.stream() && e.promptTokens() == 10);
        assertThat(streamedEvent.completionTokens()).isEqualTo(completion);
        assertThat(streamedEvent.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(streamedEvent.usageEstimated()).isFalse();
    }

    static final String TOOLS = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"}}}}}],\"tool_choice\":\"required\"";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"claude-tools", "azure-tools", "mistral-tools", "openai-tools"})
    void toolCallsStreamedAndNotThenTheToolResultRoundTrip(String model) throws Exception {
        HttpResponse<String> whole = post(chat(model, "What is the weather in Paris?", false, TOOLS));
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        JsonNode choice = json.readTree(whole.body()).get("choices").get(0);
        assertThat(choice.get("finish_reason").asString()).isEqualTo("tool_calls");
        JsonNode call = choice.get("message").get("tool_calls").get(0);
        assertThat(call.get("type").asString()).isEqualTo("function");
        assertThat(call.get("function").get("name").asString()).isEqualTo("get_weather");
        JsonNode arguments = json.readTree(call.get("function").get("arguments").asString());
        assertThat(arguments.get("query").asString()).isNotBlank();

        HttpResponse<String> streamed = post(chat(model, "What is the weather in Paris?", true, TOOLS));
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).endsWith("data: [DONE]\n\n");
        List<JsonNode> deltas = new ArrayList<>();
        String finish = null;
        for (JsonNode event : dataEvents(streamed.body())) {
            for (JsonNode c : event.path("choices")) {
                c.path("delta").path("tool_calls").forEach(deltas::add);
                if (c.hasNonNull("finish_reason")) {
                    finish = c.get("finish_reason").asString();
                }
            }
        }
        assertThat(finish).isEqualTo("tool_calls");
        JsonNode first = deltas.getFirst();
        assertThat(first.get("index").asInt()).isZero();
        assertThat(first.get("id").asString()).isEqualTo(call.get("id").asString());
        assertThat(first.get("type").asString()).isEqualTo("function");
        assertThat(first.get("function").get("name").asString()).isEqualTo("get_weather");
        StringBuilder streamedArguments = new StringBuilder();
        deltas.forEach(d -> {
            assertThat(d.get("index").asInt()).isZero();
            streamedArguments.append(d.path("function").path("arguments").asString(""));
        });
        assertThat(json.readTree(streamedArguments.toString())).isEqualTo(arguments);

        String followUp = "{\"model\":\"" + model + "\"" + TOOLS + ",\"messages\":["
                + "{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[" + json.writeValueAsString(call) + "]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"" + call.get("id").asString() + "\",\"content\":\"18 degrees and sunny\"}]}";
        HttpResponse<String> answer = post(followUp);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode answerChoice = json.readTree(answer.body()).get("choices").get(0);
        assertThat(answerChoice.get("finish_reason").asString()).isEqualTo("stop");
        assertThat(answerChoice.get("message").get("content").asString()).isNotBlank();
    }

    @Test
    void anthropicCacheReadTokensAreCountedInThePromptAndRecordedAsCached() throws Exception {
        HttpResponse<String> response = post(chat("claude-cached", "Hello edge one", false, ""));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode usageJson = json.readTree(response.body()).get("usage");
        assertThat(usageJson.get("prompt_tokens").asLong()).isEqualTo(10);
        assertThat(usageJson.get("prompt_tokens_details").get("cached_tokens").asLong()).isEqualTo(6);
        UsageRecorded event = usage.await(e -> "claude-cached".equals(e.model()) && !e.stream());
        assertThat(event.promptTokens()).isEqualTo(10);
        assertThat(event.cachedPromptTokens()).isEqualTo(6);

        HttpResponse<String> streamed = post(chat("claude-cached", "Hello edge one", true, ""));
        JsonNode last = dataEvents(streamed.body()).getLast();
        assertThat(last.get("usage").get("prompt_tokens_details").get("cached_tokens").asLong()).isEqualTo(6);
        assertThat(usage.await(e -> "claude-cached".equals(e.model()) && e.stream()).cachedPromptTokens()).isEqualTo(6);
    }

    @ParameterizedTest(name = "{0} stream={1}")
    @CsvSource({
            "claude-overloaded, false, 503, upstream_unavailable, anthropic-sim, ",
            "claude-overloaded, true, 503, upstream_unavailable, anthropic-sim, ",
            "claude-limited, false, 429, rate_limit_exceeded, anthropic-sim, 1",
            "azure-limited, true, 429, rate_limit_exceeded, azure-sim, 1",
            "mistral-broken, false, 502, upstream_error, mistral-sim, "})
    void providerErrorsBecomeOpenAiErrorsNamingTheProviderNotItsKey(String model, boolean stream, int status, String code,
                                                                    String providerName, String retryAfter) throws Exception {
        HttpResponse<String> response = post(chat(model, "fail please", stream, ""));
        assertThat(response.statusCode()).isEqualTo(status);
        JsonNode error = json.readTree(response.body()).get("error");
        assertThat(error.get("code").asString()).isEqualTo(code);
        assertThat(error.get("message").asString()).startsWith(providerName + " ");
        assertThat(response.body()).doesNotContain(PROVIDER_SECRET);
        assertThat(response.headers().firstValue("retry-after").orElse(null)).isEqualTo(retryAfter);
        UsageRecorded event = usage.await(e -> model.equals(e.model()) && e.stream() == stream);
        assertThat(event.httpStatus()).isEqualTo(status);
        assertThat(event.outcome()).isEqualTo(status == 429 ? Outcome.CLIENT_ERROR : Outcome.UPSTREAM_ERROR);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "claude-fault, 503, upstream_unavailable, anthropic-sim failed mid-stream: Overloaded",
            "mistral-fault, 502, upstream_error, mistral-sim failed mid-stream: ",
            "openai-fault, 502, upstream_error, openai-sim failed mid-stream: ",
            "azure-cut, 502, upstream_stream_ended, azure-sim ended the stream before it was complete"})
    void aStreamThatFailsMidWayEndsWithAnOpenAiErrorEventAndAnUpstreamErrorUsageEvent(String model, int status, String code,
                                                                                      String message) throws Exception {
        HttpResponse<String> response = post(chat(model, "break in the middle", true, ""));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).doesNotContain("[DONE]").doesNotContain(PROVIDER_SECRET);
        List<JsonNode> events = dataEvents(response.body());
        assertThat(streamedText(events)).isNotEmpty();
        JsonNode error = events.getLast().get("error");
        assertThat(error.get("code").asString()).isEqualTo(code);
        assertThat(error.get("message").asString()).startsWith(message);
        UsageRecorded event = usage.await(e -> model.equals(e.model()) && e.stream());
        assertThat(event.outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);
        assertThat(event.httpStatus()).isEqualTo(status);
        // Anthropic reports the prompt in message_start (4 words + 4 + 3); the others report usage only at
        // the end, so the edge bills its estimate: ⌈19 characters / 4⌉ + 4 + 3
        boolean reported = model.startsWith("claude");
        assertThat(event.promptTokens()).isEqualTo(reported ? 11 : 12);
        assertThat(event.usageEstimated()).isEqualTo(!reported);
        assertThat(event.completionTokens()).isPositive();
    }

    @Test
    void aRequestAnthropicCannotTakeIs400BeforeAnyUpstreamCall() throws Exception {
        HttpResponse<String> response = post(chat("claude", "two answers please", false, ",\"n\":2"));
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = json.readTree(response.body()).get("error");
        assertThat(error.get("param").asString()).isEqualTo("n");
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        UsageRecorded event = usage.await(e -> "claude".equals(e.model()) && e.httpStatus() == 400);
        assertThat(event.outcome()).isEqualTo(Outcome.CLIENT_ERROR);
    }
}
