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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
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
 * The README's matrix, cell by cell: each client format (OpenAI, Anthropic, Ollama) against each
 * provider type (openai, anthropic, azure-openai, mistral, ollama, cohere), served by the simulator in
 * that provider's wire format, for chat, stream, tools and embeddings. Every provider route targets
 * the simulator model {@code sim-gpt-4o-mini}, whose answer depends only on model and messages, so
 * every (client, provider) pair must give the same text as the OpenAI client through the openai
 * provider; every call must publish one usage event whose tokens are those the client saw.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class ClientProviderMatrixTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String TENANT = "tenant-matrix-" + java.util.UUID.randomUUID();
    static final String KEY = ApiKeys.generate();
    static final Map<String, String> PROVIDERS = ProviderMatrix.PROVIDERS;
    static final String TOOLS = "[{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"description\":\"Looks a word up\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"}},\"required\":[\"query\"]}}}]";
    static final String ANTHROPIC_TOOLS = "[{\"name\":\"lookup\",\"description\":\"Looks a word up\","
            + "\"input_schema\":{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"}},\"required\":[\"query\"]}}]";
    static String dbUrl;
    /** The reference answer: OpenAI client, openai provider, per prompt. */
    static final Map<String, String> REFERENCE = new ConcurrentHashMap<>();


    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        dbUrl = ProviderMatrix.register(registry, "llmproxy_edge_matrix", TENANT, KEY, SECRET);
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
        await().atMost(Duration.ofSeconds(10))
                .until(() -> snapshots.current().changeIndex() >= ProviderMatrix.LAST_CHANGE);
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

    HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder().timeout(Duration.ofSeconds(30))
                .uri(URI.create("http://127.0.0.1:" + port + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> openAi(String body) throws Exception {
        return post("/v1/chat/completions", body, "Authorization", "Bearer " + KEY);
    }

    HttpResponse<String> anthropic(String body) throws Exception {
        return post("/v1/messages", body, "x-api-key", KEY, "anthropic-version", "2023-06-01");
    }

    HttpResponse<String> ollama(String path, String body) throws Exception {
        return post(path, body, "Authorization", "Bearer " + KEY);
    }

    /** The text the OpenAI client gets from the openai provider for {@code prompt} (the reference). */
    String reference(String prompt) throws Exception {
        String cached = REFERENCE.get(prompt);
        if (cached != null) {
            return cached;
        }
        HttpResponse<String> response = openAi("{\"model\":\"reference\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String text = json.readTree(response.body()).get("choices").get(0).get("message").get("content").asString();
        assertThat(text).isNotBlank();
        REFERENCE.put(prompt, text);
        return text;
    }

    UsageRecorded usageOf(String endpoint, String model, boolean stream) {
        UsageRecorded event = usage.await(e -> "km".equals(e.apiKeyId()) && endpoint.equals(e.endpoint())
                && model.equals(e.model()) && e.stream() == stream && e.httpStatus() == 200);
        assertThat(event.providerId()).isEqualTo(PROVIDERS.get(model.replace("-tools", "").replace("-embed", "")));
        assertThat(event.tenantId()).isEqualTo(TENANT);
        return event;
    }

    static List<String> sseData(String body, List<String> eventNames) {
        return ProviderMatrix.sseData(body, eventNames);
    }

    // ---------------------------------------------------------------- OpenAI client

    @ParameterizedTest(name = "openai client → {0}")
    @ValueSource(strings = {"openai", "anthropic", "azure-openai", "mistral", "ollama", "cohere"})
    void openAiClientChatStreamAndTools(String provider) throws Exception {
        String expected = reference("Matrix one two");
        HttpResponse<String> whole = openAi("{\"model\":\"" + provider + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Matrix one two\"}]}");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        JsonNode body = json.readTree(whole.body());
        assertThat(body.get("choices").get(0).get("message").get("content").asString()).isEqualTo(expected);
        assertThat(body.get("choices").get(0).get("finish_reason").asString()).isEqualTo("stop");
        UsageRecorded event = usageOf("chat.completions", provider, false);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(event.promptTokens()).isEqualTo(body.get("usage").get("prompt_tokens").asLong()).isPositive();
        assertThat(event.completionTokens()).isEqualTo(body.get("usage").get("completion_tokens").asLong()).isPositive();

        HttpResponse<String> streamed = openAi("{\"model\":\"" + provider + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Matrix one two\"}]}");
        assertThat(streamed.statusCode()).isEqualTo(200);
        List<String> data = sseData(streamed.body(), null);
        assertThat(data.getLast()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        JsonNode usageChunk = null;
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode chunk = json.readTree(d);
            chunk.path("choices").forEach(c -> text.append(c.path("delta").path("content").asString("")));
            if (chunk.hasNonNull("usage")) {
                usageChunk = chunk.get("usage");
            }
        }
        assertThat(text.toString()).isEqualTo(expected);
        assertThat(usageChunk).isNotNull();
        UsageRecorded streamedEvent = usageOf("chat.completions", provider, true);
        assertThat(streamedEvent.completionTokens()).isEqualTo(usageChunk.get("completion_tokens").asLong()).isPositive();

        for (boolean stream : new boolean[] {false, true}) {
            HttpResponse<String> tools = openAi("{\"model\":\"" + provider + "-tools\",\"stream\":" + stream + ",\"tools\":" + TOOLS
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"Find matrix\"}]}");
            assertThat(tools.statusCode()).as(tools.body()).isEqualTo(200);
            String name;
            StringBuilder arguments = new StringBuilder();
            String id;
            if (!stream) {
                JsonNode call = json.readTree(tools.body()).get("choices").get(0).get("message").get("tool_calls").get(0);
                name = call.get("function").get("name").asString();
                id = call.get("id").asString();
                arguments.append(call.get("function").get("arguments").asString());
                assertThat(json.readTree(tools.body()).get("choices").get(0).get("finish_reason").asString()).isEqualTo("tool_calls");
            } else {
                String firstName = null;
                String firstId = null;
                for (String d : sseData(tools.body(), null)) {
                    if (d.equals("[DONE]")) {
                        continue;
                    }
                    for (JsonNode c : json.readTree(d).path("choices")) {
                        for (JsonNode call : c.path("delta").path("tool_calls")) {
                            assertThat(call.get("index").asInt()).isZero();
                            if (firstName == null) {
                                // id and name come on the first delta of the call
                                firstName = call.path("function").path("name").asString(null);
                                firstId = call.path("id").asString(null);
                            }
                            arguments.append(call.path("function").path("arguments").asString(""));
                        }
                    }
                }
                name = firstName;
                id = firstId;
            }
            assertThat(name).as(tools.body()).isEqualTo("lookup");
            assertThat(id).isNotBlank();
            assertThat(json.readTree(arguments.toString()).get("query").asString()).isNotBlank();
            usageOf("chat.completions", provider + "-tools", stream);
        }
    }

    // ---------------------------------------------------------------- Anthropic client

    @ParameterizedTest(name = "anthropic client → {0}")
    @ValueSource(strings = {"openai", "anthropic", "azure-openai", "mistral", "ollama", "cohere"})
    void anthropicClientChatStreamAndTools(String provider) throws Exception {
        String expected = reference("Matrix one two");
        HttpResponse<String> whole = anthropic("{\"model\":\"" + provider + "\",\"max_tokens\":64,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Matrix one two\"}]}");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        JsonNode body = json.readTree(whole.body());
        assertThat(body.get("type").asString()).isEqualTo("message");
        assertThat(body.get("content").get(0).get("text").asString()).isEqualTo(expected);
        assertThat(body.get("stop_reason").asString()).isEqualTo("end_turn");
        UsageRecorded event = usageOf("messages", provider, false);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(body.get("usage").get("output_tokens").asLong()).isEqualTo(event.completionTokens()).isPositive();

        HttpResponse<String> streamed = anthropic("{\"model\":\"" + provider + "\",\"max_tokens\":64,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Matrix one two\"}]}");
        assertThat(streamed.statusCode()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        List<String> data = sseData(streamed.body(), names);
        assertThat(names.getFirst()).isEqualTo("message_start");
        assertThat(names.getLast()).isEqualTo("message_stop");
        StringBuilder text = new StringBuilder();
        long outputTokens = -1;
        for (String d : data) {
            JsonNode e = json.readTree(d);
            if ("content_block_delta".equals(e.path("type").asString())) {
                text.append(e.path("delta").path("text").asString(""));
            }
            if ("message_delta".equals(e.path("type").asString())) {
                assertThat(e.path("delta").path("stop_reason").asString()).isEqualTo("end_turn");
                outputTokens = e.path("usage").path("output_tokens").asLong();
            }
        }
        assertThat(text.toString()).isEqualTo(expected);
        assertThat(usageOf("messages", provider, true).completionTokens()).isEqualTo(outputTokens).isPositive();

        for (boolean stream : new boolean[] {false, true}) {
            HttpResponse<String> tools = anthropic("{\"model\":\"" + provider + "-tools\",\"max_tokens\":64,\"stream\":" + stream
                    + ",\"tools\":" + ANTHROPIC_TOOLS + ",\"messages\":[{\"role\":\"user\",\"content\":\"Find matrix\"}]}");
            assertThat(tools.statusCode()).as(tools.body()).isEqualTo(200);
            String name = null;
            String id = null;
            StringBuilder input = new StringBuilder();
            if (!stream) {
                JsonNode message = json.readTree(tools.body());
                assertThat(message.get("stop_reason").asString()).isEqualTo("tool_use");
                for (JsonNode block : message.get("content")) {
                    if ("tool_use".equals(block.get("type").asString())) {
                        name = block.get("name").asString();
                        id = block.get("id").asString();
                        input.append(json.writeValueAsString(block.get("input")));
                    }
                }
            } else {
                for (String d : sseData(tools.body(), null)) {
                    JsonNode e = json.readTree(d);
                    if ("content_block_start".equals(e.path("type").asString())
                            && "tool_use".equals(e.path("content_block").path("type").asString())) {
                        name = e.path("content_block").path("name").asString();
                        id = e.path("content_block").path("id").asString();
                    }
                    if ("input_json_delta".equals(e.path("delta").path("type").asString())) {
                        input.append(e.path("delta").path("partial_json").asString(""));
                    }
                }
            }
            assertThat(name).as(tools.body()).isEqualTo("lookup");
            assertThat(id).isNotBlank();
            assertThat(json.readTree(input.toString()).get("query").asString()).isNotBlank();
            usageOf("messages", provider + "-tools", stream);
        }
    }

    // ---------------------------------------------------------------- Ollama client

    @ParameterizedTest(name = "ollama client → {0}")
    @ValueSource(strings = {"openai", "anthropic", "azure-openai", "mistral", "ollama", "cohere"})
    void ollamaClientChatStreamAndTools(String provider) throws Exception {
        String expected = reference("Matrix one two");
        HttpResponse<String> whole = ollama("/api/chat", "{\"model\":\"" + provider + "\",\"stream\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Matrix one two\"}]}");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        JsonNode body = json.readTree(whole.body());
        assertThat(body.get("message").get("content").asString()).isEqualTo(expected);
        assertThat(body.get("done").asBoolean()).isTrue();
        assertThat(body.get("done_reason").asString()).isEqualTo("stop");
        UsageRecorded event = usageOf("ollama.chat", provider, false);
        assertThat(body.get("prompt_eval_count").asLong()).isEqualTo(event.promptTokens()).isPositive();
        assertThat(body.get("eval_count").asLong()).isEqualTo(event.completionTokens()).isPositive();

        // Ollama streams unless told not to
        HttpResponse<String> streamed = ollama("/api/chat", "{\"model\":\"" + provider + "\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Matrix one two\"}]}");
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("content-type").orElse("")).startsWith("application/x-ndjson");
        String[] lines = streamed.body().split("\n");
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(json.readTree(line).path("message").path("content").asString(""));
        }
        JsonNode last = json.readTree(lines[lines.length - 1]);
        assertThat(last.get("done").asBoolean()).isTrue();
        assertThat(text.toString()).isEqualTo(expected);
        assertThat(usageOf("ollama.chat", provider, true).completionTokens()).isEqualTo(last.get("eval_count").asLong()).isPositive();

        for (boolean stream : new boolean[] {false, true}) {
            HttpResponse<String> tools = ollama("/api/chat", "{\"model\":\"" + provider + "-tools\",\"stream\":" + stream
                    + ",\"tools\":" + TOOLS + ",\"messages\":[{\"role\":\"user\",\"content\":\"Find matrix\"}]}");
            assertThat(tools.statusCode()).as(tools.body()).isEqualTo(200);
            JsonNode call = null;
            for (String line : tools.body().split("\n")) {
                JsonNode calls = json.readTree(line).path("message").path("tool_calls");
                if (calls.isArray() && !calls.isEmpty()) {
                    assertThat(call).as("one complete tool call, not pieces").isNull();
                    call = calls.get(0);
                }
            }
            assertThat(call).as(tools.body()).isNotNull();
            assertThat(call.get("function").get("name").asString()).isEqualTo("lookup");
            assertThat(call.get("function").get("arguments").get("query").asString()).isNotBlank();
            usageOf("ollama.chat", provider + "-tools", stream);
        }
    }

    // ---------------------------------------------------------------- embeddings

    @ParameterizedTest(name = "embeddings → {0}")
    @ValueSource(strings = {"openai", "azure-openai", "mistral", "ollama", "cohere"})
    void embeddingsThroughBothClientFormats(String provider) throws Exception {
        HttpResponse<String> openAi = post("/v1/embeddings", "{\"model\":\"" + provider + "-embed\",\"input\":[\"alpha beta\",\"gamma\"]}",
                "Authorization", "Bearer " + KEY);
        assertThat(openAi.statusCode()).as(openAi.body()).isEqualTo(200);
        JsonNode body = json.readTree(openAi.body());
        assertThat(body.get("object").asString()).isEqualTo("list");
        assertThat(body.get("data")).hasSize(2);
        assertThat(body.get("data").get(1).get("index").asInt()).isEqualTo(1);
        assertThat(body.get("data").get(0).get("embedding").size()).isPositive();
        UsageRecorded event = usageOf("embeddings", provider + "-embed", false);
        assertThat(event.promptTokens()).isEqualTo(body.get("usage").get("prompt_tokens").asLong()).isPositive();
        assertThat(event.completionTokens()).isZero();

        HttpResponse<String> ollama = ollama("/api/embed", "{\"model\":\"" + provider + "-embed\",\"input\":\"alpha beta\"}");
        assertThat(ollama.statusCode()).as(ollama.body()).isEqualTo(200);
        JsonNode embed = json.readTree(ollama.body());
        assertThat(embed.get("embeddings")).hasSize(1);
        // the same text gives the same vector through either client format
        assertThat(embed.get("embeddings").get(0).get(0).asDouble())
                .isEqualTo(body.get("data").get(0).get("embedding").get(0).asDouble());
    }

    @org.junit.jupiter.api.Test
    void tokenCapsThatCouldDodgeTheReservationAre400InEachFormatAndStillPublishUsage() throws Exception {
        // a negative cap would reserve no completion tokens while the provider generates up to its own limit
        HttpResponse<String> negative = openAi("{\"model\":\"ollama\",\"max_tokens\":-100000,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(json.readTree(negative.body()).get("error").get("param").asString()).isEqualTo("max_tokens");
        HttpResponse<String> negativeCompletion = openAi("{\"model\":\"anthropic\",\"max_completion_tokens\":-1,\"max_tokens\":40,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(negativeCompletion.statusCode()).isEqualTo(400);
        HttpResponse<String> huge = anthropic("{\"model\":\"openai\",\"max_tokens\":99999999999999999999,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(huge.statusCode()).isEqualTo(400);
        assertThat(json.readTree(huge.body()).get("type").asString()).isEqualTo("error");
        assertThat(json.readTree(huge.body()).get("error").get("type").asString()).isEqualTo("invalid_request_error");
        HttpResponse<String> numPredict = ollama("/api/chat", "{\"model\":\"cohere\",\"stream\":false,"
                + "\"options\":{\"num_predict\":99999999999999999999},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(numPredict.statusCode()).isEqualTo(400);
        assertThat(json.readTree(numPredict.body()).get("error").asString()).contains("num_predict");
        UsageRecorded refused = usage.await(e -> "km".equals(e.apiKeyId()) && "ollama.chat".equals(e.endpoint()) && e.httpStatus() == 400);
        assertThat(refused.outcome()).isEqualTo(Outcome.CLIENT_ERROR);
        assertThat(refused.promptTokens()).isZero();
        // Ollama's own "no limit" (-1) is not an error: the gateway's default cap is reserved instead
        HttpResponse<String> unlimited = ollama("/api/chat", "{\"model\":\"reference\",\"stream\":false,"
                + "\"options\":{\"num_predict\":-1},\"messages\":[{\"role\":\"user\",\"content\":\"Matrix one two\"}]}");
        assertThat(unlimited.statusCode()).as(unlimited.body()).isEqualTo(200);
        assertThat(json.readTree(unlimited.body()).get("message").get("content").asString()).isEqualTo(reference("Matrix one two"));
    }

    @org.junit.jupiter.api.Test
    void unknownPathsAnswerInTheFormatOfTheApiTheyBelongTo() throws Exception {
        HttpResponse<String> countTokens = post("/v1/messages/count_tokens", "{}", "x-api-key", KEY);
        assertThat(countTokens.statusCode()).isEqualTo(404);
        assertThat(json.readTree(countTokens.body()).get("type").asString()).isEqualTo("error");
        assertThat(json.readTree(countTokens.body()).get("error").get("type").asString()).isEqualTo("not_found_error");
        HttpResponse<String> getMessages = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/messages"))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(getMessages.statusCode()).isEqualTo(404);
        assertThat(json.readTree(getMessages.body()).get("error").get("type").asString()).isEqualTo("not_found_error");
        HttpResponse<String> ps = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/ps"))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ps.statusCode()).isEqualTo(404);
        assertThat(json.readTree(ps.body()).get("error").asString()).contains("GET /api/ps");
        HttpResponse<String> hugeShow = ollama("/api/show", "{\"model\":\"" + "x".repeat(17 << 20) + "\"}");
        assertThat(hugeShow.statusCode()).isEqualTo(413);
        assertThat(json.readTree(hugeShow.body()).get("error").asString()).contains("larger");
        HttpResponse<String> openAi = post("/v1/audio/speech", "{}", "Authorization", "Bearer " + KEY);
        assertThat(openAi.statusCode()).isEqualTo(404);
        assertThat(json.readTree(openAi.body()).get("error").get("code").asString()).isEqualTo("unknown_url");
    }

    @org.junit.jupiter.api.Test
    void absurdEmbeddingDimensionsAre400AndPublishUsage() throws Exception {
        HttpResponse<String> openAi = post("/v1/embeddings", "{\"model\":\"ollama-embed\",\"input\":\"x\",\"dimensions\":99999999999999999999}",
                "Authorization", "Bearer " + KEY);
        assertThat(openAi.statusCode()).as(openAi.body()).isEqualTo(400);
        assertThat(json.readTree(openAi.body()).get("error").get("param").asString()).isEqualTo("dimensions");
        UsageRecorded event = usage.await(e -> "km".equals(e.apiKeyId()) && "embeddings".equals(e.endpoint()) && e.httpStatus() == 400
                && "ollama-embed".equals(e.model()));
        assertThat(event.outcome()).isEqualTo(Outcome.CLIENT_ERROR);
        HttpResponse<String> ollama = ollama("/api/embed", "{\"model\":\"cohere-embed\",\"input\":\"x\",\"dimensions\":0}");
        assertThat(ollama.statusCode()).isEqualTo(400);
        assertThat(json.readTree(ollama.body()).get("error").asString()).contains("dimensions");
    }

    @org.junit.jupiter.api.Test
    void anthropicHasNoEmbeddingsApiSoTheEdgeAnswers400InEachFormat() throws Exception {
        HttpResponse<String> openAi = post("/v1/embeddings", "{\"model\":\"anthropic-embed\",\"input\":\"x\"}",
                "Authorization", "Bearer " + KEY);
        assertThat(openAi.statusCode()).isEqualTo(400);
        assertThat(json.readTree(openAi.body()).get("error").get("message").asString()).contains("anthropic");
        HttpResponse<String> ollama = ollama("/api/embed", "{\"model\":\"anthropic-embed\",\"input\":\"x\"}");
        assertThat(ollama.statusCode()).isEqualTo(400);
        assertThat(json.readTree(ollama.body()).get("error").asString()).contains("anthropic");
    }
}
