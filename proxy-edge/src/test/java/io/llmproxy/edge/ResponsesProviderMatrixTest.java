package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.support.ProviderMatrix;
import io.llmproxy.edge.support.UsageConsumer;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README matrix's Responses row, cell by cell: {@code POST /v1/responses} against each provider
 * type (served by the simulator in that provider's wire format), for chat, stream and tools. Every
 * cell must give the same text as the OpenAI chat client through the openai provider, whole function
 * calls, and one usage event (endpoint {@code responses}) carrying the tokens the client saw.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class ResponsesProviderMatrixTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String TENANT = "tenant-rmatrix-" + java.util.UUID.randomUUID();
    static final String KEY = ApiKeys.generate();
    static final String TOOLS = "[{\"type\":\"function\",\"name\":\"lookup\",\"description\":\"Looks a word up\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"}},\"required\":[\"query\"]}}]";
    static String reference;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        ProviderMatrix.register(registry, "llmproxy_edge_rmatrix", TENANT, KEY, SECRET);
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
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().changeIndex() >= ProviderMatrix.LAST_CHANGE);
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

    HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30))
                .uri(URI.create("http://127.0.0.1:" + port + path)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The text the OpenAI chat client gets from the openai provider (the reference). */
    String reference() throws Exception {
        if (reference == null) {
            HttpResponse<String> response = post("/v1/chat/completions",
                    "{\"model\":\"reference\",\"messages\":[{\"role\":\"user\",\"content\":\"Matrix one two\"}]}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            reference = json.readTree(response.body()).get("choices").get(0).get("message").get("content").asString();
            assertThat(reference).isNotBlank();
        }
        return reference;
    }

    UsageRecorded usageOf(String model, boolean stream) {
        UsageRecorded event = usage.await(e -> "km".equals(e.apiKeyId()) && "responses".equals(e.endpoint())
                && model.equals(e.model()) && e.stream() == stream && e.httpStatus() == 200);
        assertThat(event.providerId()).isEqualTo(ProviderMatrix.PROVIDERS.get(model.replace("-tools", "")));
        assertThat(event.tenantId()).isEqualTo(TENANT);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
        return event;
    }

    @ParameterizedTest(name = "responses client → {0}")
    @ValueSource(strings = {"openai", "anthropic", "azure-openai", "mistral", "ollama", "cohere"})
    void responsesClientChatStreamAndTools(String provider) throws Exception {
        String expected = reference();
        HttpResponse<String> whole = post("/v1/responses", "{\"model\":\"" + provider + "\",\"input\":\"Matrix one two\"}");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        JsonNode body = json.readTree(whole.body());
        assertThat(body.get("object").asString()).isEqualTo("response");
        assertThat(body.get("id").asString()).startsWith("resp_");
        assertThat(body.get("status").asString()).isEqualTo("completed");
        assertThat(body.get("output")).hasSize(1);
        assertThat(body.get("output").get(0).get("content").get(0).get("text").asString()).isEqualTo(expected);
        UsageRecorded event = usageOf(provider, false);
        assertThat(event.promptTokens()).isEqualTo(body.get("usage").get("input_tokens").asLong()).isPositive();
        assertThat(event.completionTokens()).isEqualTo(body.get("usage").get("output_tokens").asLong()).isPositive();

        HttpResponse<String> streamed = post("/v1/responses", "{\"model\":\"" + provider + "\",\"stream\":true,\"input\":\"Matrix one two\"}");
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> names = new ArrayList<>();
        List<String> data = ProviderMatrix.sseData(streamed.body(), names);
        assertThat(names.getFirst()).isEqualTo("response.created");
        assertThat(names.get(1)).isEqualTo("response.in_progress");
        assertThat(names.getLast()).isEqualTo("response.completed");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < data.size(); i++) {
            JsonNode e = json.readTree(data.get(i));
            assertThat(e.get("sequence_number").asInt()).isEqualTo(i);
            if ("response.output_text.delta".equals(e.get("type").asString())) {
                text.append(e.get("delta").asString());
            }
        }
        assertThat(text.toString()).isEqualTo(expected);
        JsonNode completed = json.readTree(data.getLast()).get("response");
        assertThat(completed.get("output").get(0).get("content").get(0).get("text").asString()).isEqualTo(expected);
        UsageRecorded streamedEvent = usageOf(provider, true);
        assertThat(streamedEvent.completionTokens()).isEqualTo(completed.get("usage").get("output_tokens").asLong()).isPositive();
        assertThat(streamedEvent.promptTokens()).isEqualTo(completed.get("usage").get("input_tokens").asLong()).isPositive();

        for (boolean stream : new boolean[] {false, true}) {
            HttpResponse<String> tools = post("/v1/responses", "{\"model\":\"" + provider + "-tools\",\"stream\":" + stream
                    + ",\"tools\":" + TOOLS + ",\"input\":\"Find matrix\"}");
            assertThat(tools.statusCode()).as(tools.body()).isEqualTo(200);
            JsonNode response;
            if (!stream) {
                response = json.readTree(tools.body());
            } else {
                List<String> events = new ArrayList<>();
                List<String> payloads = ProviderMatrix.sseData(tools.body(), events);
                assertThat(events.getLast()).isEqualTo("response.completed");
                StringBuilder arguments = new StringBuilder();
                String done = null;
                for (String d : payloads) {
                    JsonNode e = json.readTree(d);
                    switch (e.get("type").asString()) {
                        case "response.function_call_arguments.delta" -> arguments.append(e.get("delta").asString());
                        case "response.function_call_arguments.done" -> {
                            assertThat(done).as("one whole function call").isNull();
                            done = e.get("arguments").asString();
                        }
                        default -> {
                        }
                    }
                }
                assertThat(arguments.toString()).isEqualTo(done);
                response = json.readTree(payloads.getLast()).get("response");
            }
            List<JsonNode> calls = new ArrayList<>();
            response.get("output").forEach(item -> {
                if ("function_call".equals(item.get("type").asString())) {
                    calls.add(item);
                }
            });
            assertThat(calls).as(tools.body()).hasSize(1);
            JsonNode call = calls.getFirst();
            assertThat(call.get("name").asString()).isEqualTo("lookup");
            assertThat(call.get("call_id").asString()).isNotBlank();
            assertThat(call.get("id").asString()).startsWith("fc_");
            assertThat(call.get("status").asString()).isEqualTo("completed");
            assertThat(json.readTree(call.get("arguments").asString()).get("query").asString()).isNotBlank();
            UsageRecorded toolEvent = usageOf(provider + "-tools", stream);
            assertThat(toolEvent.completionTokens()).isEqualTo(response.get("usage").get("output_tokens").asLong()).isPositive();
        }
    }

    @Test
    void builtInToolsAndBackgroundAre400NamingTheFieldBeforeAnyUpstreamCall() throws Exception {
        HttpResponse<String> webSearch = post("/v1/responses", "{\"model\":\"openai\",\"input\":\"x\",\"tools\":[{\"type\":\"web_search\"}]}");
        assertThat(webSearch.statusCode()).isEqualTo(400);
        JsonNode error = json.readTree(webSearch.body()).get("error");
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").asString()).isEqualTo("tools");
        assertThat(error.get("message").asString()).contains("web_search");
        HttpResponse<String> background = post("/v1/responses", "{\"model\":\"anthropic\",\"input\":\"x\",\"background\":true}");
        assertThat(background.statusCode()).isEqualTo(400);
        assertThat(json.readTree(background.body()).get("error").get("param").asString()).isEqualTo("background");
        // one usage event per refused call, no provider attempted
        await().atMost(Duration.ofSeconds(10)).until(() -> refused().size() == 2);
        for (UsageRecorded refused : refused()) {
            assertThat(refused.outcome()).isEqualTo(Outcome.CLIENT_ERROR);
            assertThat(refused.providerId()).isNull();
            assertThat(refused.attempts()).isEmpty();
            assertThat(refused.promptTokens()).isZero();
        }
    }

    List<UsageRecorded> refused() {
        return usage.events().stream().filter(e -> "km".equals(e.apiKeyId()) && "responses".equals(e.endpoint())
                && e.httpStatus() == 400).toList();
    }
}
