package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseStreamEvent;
import io.llmproxy.edge.support.ProviderMatrix;
import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.usage.UsageRecorded;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /v1/responses} with the official OpenAI Java SDK (openai-java, {@code client.responses()}):
 * create and createStreaming against the simulator, a three-turn conversation through
 * {@code previous_response_id} whose third answer equals the chat path's answer to the same whole
 * conversation, GET and DELETE, another tenant's id answered 404, {@code store:false} leaving no
 * Redis key, and stored responses expiring after the configured TTL (default 30 days).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class ResponsesApiIntegrationTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String TENANT = "tenant-resp-" + java.util.UUID.randomUUID();
    static final String OTHER_TENANT = "tenant-resp-other-" + java.util.UUID.randomUUID();
    static final String KEY = ApiKeys.generate();
    static final String OTHER_KEY = ApiKeys.generate();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dbUrl = ProviderMatrix.register(registry, "llmproxy_edge_responses", TENANT, KEY, SECRET);
        JdbcTemplate jdbc = ReadModelDatabase.jdbc(dbUrl);
        Timestamp t0 = Timestamp.from(Instant.parse("2026-11-29T10:00:00Z"));
        jdbc.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'other', ?, 100)", OTHER_TENANT, t0);
        jdbc.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES ('ko', ?, 'other', ?, ?, 'ACTIVE', ?, 101)", OTHER_TENANT, ApiKeys.hash(OTHER_KEY),
                ApiKeys.displayPrefix(OTHER_KEY), t0);
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;
    @Autowired
    RedissonClient redis;
    @Autowired
    io.llmproxy.edge.snapshot.SnapshotStore snapshots;

    OpenAIClient client;
    OpenAIClient other;

    @BeforeEach
    void ready() {
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().changeIndex() >= 101);
        client = OpenAIOkHttpClient.builder().apiKey(KEY).baseUrl("http://127.0.0.1:" + port + "/v1").maxRetries(0).build();
        other = OpenAIOkHttpClient.builder().apiKey(OTHER_KEY).baseUrl("http://127.0.0.1:" + port + "/v1").maxRetries(0).build();
    }

    static String text(Response response) {
        return response.output().getFirst().message().orElseThrow().content().getFirst().outputText().orElseThrow().text();
    }

    static String key(String tenant, String id) {
        return "llmproxy:responses:{" + tenant + "}:" + id;
    }

    /** The chat path's answer to {@code messages} (the reference). */
    String chat(String messages) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder()
                .uri(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions")).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"reference\",\"messages\":" + messages + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body()).get("choices").get(0).get("message").get("content").asString();
    }

    @Test
    void theEdgesJsonMapperRecyclesBuffersPerThreadAndKeepsSpringBootsSettings() {
        // EdgeJson: a thread-local recycler pool instead of Jackson 3's shared deque (issue #16)
        assertThat(json.tokenStreamFactory()._getRecyclerPool().getClass().getSimpleName()).isEqualTo("ThreadLocalPool");
        // and Spring Boot's customizers still ran: they register Boot's two modules
        assertThat(json.registeredModules().stream().map(m -> m.getRegistrationId().toString()).toList())
                .containsExactlyInAnyOrder("org.springframework.boot.jackson.JacksonMixinModule",
                        "org.springframework.boot.jackson.JacksonComponentModule");
    }

    @Test
    void createAndCreateStreamingWithTheOfficialSdk() throws Exception {
        String expected = chat("[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hello SDK\"}]");
        Response response = client.responses().create(ResponseCreateParams.builder().model("openai")
                .instructions("Be brief.").input("Hello SDK").build());
        assertThat(response.id()).startsWith("resp_");
        assertThat(text(response)).isEqualTo(expected);
        assertThat(response.usage().orElseThrow().outputTokens()).isPositive();

        StringBuilder deltas = new StringBuilder();
        Response[] completed = new Response[1];
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(ResponseCreateParams.builder()
                .model("anthropic").instructions("Be brief.").input("Hello SDK").build())) {
            stream.stream().forEach(event -> {
                event.outputTextDelta().ifPresent(d -> deltas.append(d.delta()));
                event.completed().ifPresent(c -> completed[0] = c.response());
                assertThat(event.failed()).isEmpty();
            });
        }
        assertThat(deltas.toString()).isEqualTo(expected);
        assertThat(text(completed[0])).isEqualTo(expected);
        assertThat(completed[0].usage().orElseThrow().totalTokens()).isPositive();

        Response tools = client.responses().create(ResponseCreateParams.builder().model("mistral-tools").input("Find matrix")
                .addTool(FunctionTool.builder().name("lookup").strict(false).parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("query", Map.of("type", "string"))))
                        .build()).build()).build());
        ResponseFunctionToolCall call = tools.output().stream().flatMap(o -> o.functionCall().stream()).findFirst().orElseThrow();
        assertThat(call.name()).isEqualTo("lookup");
        assertThat(json.readTree(call.arguments()).get("query").asString()).isNotBlank();
    }

    @Test
    void aThreeTurnConversationThroughPreviousResponseIdThenGetAndDelete() throws Exception {
        Response first = client.responses().create(ResponseCreateParams.builder().model("openai").input("Turn one").build());
        Response second = client.responses().create(ResponseCreateParams.builder().model("cohere").input("Turn two")
                .previousResponseId(first.id()).build());
        // the third turn streams: its response is stored before response.completed reaches the client
        StringBuilder third = new StringBuilder();
        String[] thirdId = new String[1];
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(ResponseCreateParams.builder()
                .model("ollama").input("Turn three").previousResponseId(second.id()).build())) {
            stream.stream().forEach(event -> {
                event.outputTextDelta().ifPresent(d -> third.append(d.delta()));
                event.completed().ifPresent(c -> thirdId[0] = c.response().id());
            });
        }
        // the chat path, given the whole conversation, answers the same: the history reached the provider
        String history = "[{\"role\":\"user\",\"content\":\"Turn one\"},{\"role\":\"assistant\",\"content\":" + quote(text(first))
                + "},{\"role\":\"user\",\"content\":\"Turn two\"},{\"role\":\"assistant\",\"content\":" + quote(text(second)) + "}";
        assertThat(text(second)).isEqualTo(chat("[{\"role\":\"user\",\"content\":\"Turn one\"},{\"role\":\"assistant\",\"content\":"
                + quote(text(first)) + "},{\"role\":\"user\",\"content\":\"Turn two\"}]"));
        assertThat(third.toString()).isEqualTo(chat(history + ",{\"role\":\"user\",\"content\":\"Turn three\"}]"));
        Response fourth = client.responses().create(ResponseCreateParams.builder().model("openai").input("Turn four")
                .previousResponseId(thirdId[0]).build());
        assertThat(text(fourth)).isEqualTo(chat(history + ",{\"role\":\"user\",\"content\":\"Turn three\"},"
                + "{\"role\":\"assistant\",\"content\":" + quote(third.toString()) + "},{\"role\":\"user\",\"content\":\"Turn four\"}]"));

        // kept under the tenant, for 30 days by default
        long ttl = redis.getBucket(key(TENANT, second.id())).remainTimeToLive();
        assertThat(ttl).isBetween(TimeUnit.DAYS.toMillis(30) - 60_000, TimeUnit.DAYS.toMillis(30));

        Response retrieved = client.responses().retrieve(second.id());
        assertThat(retrieved.id()).isEqualTo(second.id());
        assertThat(text(retrieved)).isEqualTo(text(second));
        assertThat(retrieved.previousResponseId()).contains(first.id());

        // another tenant can neither read, continue nor delete it: 404, as for an id that never existed
        assertThatThrownBy(() -> other.responses().retrieve(second.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> other.responses().delete(second.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> other.responses().create(ResponseCreateParams.builder().model("openai").input("steal")
                .previousResponseId(second.id()).build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("404: Previous response with id '" + second.id() + "' not found."));
        assertThat(redis.getBucket(key(OTHER_TENANT, second.id())).isExists()).isFalse();

        HttpResponse<String> deleted = HttpClient.newHttpClient().send(HttpRequest.newBuilder()
                .uri(URI.create("http://127.0.0.1:" + port + "/v1/responses/" + second.id())).header("Authorization", "Bearer " + KEY)
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(json.readTree(deleted.body()).toString())
                .isEqualTo("{\"id\":\"" + second.id() + "\",\"object\":\"response.deleted\",\"deleted\":true}");
        assertThatThrownBy(() -> client.responses().retrieve(second.id())).isInstanceOf(NotFoundException.class);
        client.responses().delete(first.id());
        assertThat(redis.getBucket(key(TENANT, first.id())).isExists()).isFalse();
        HttpResponse<String> gone = HttpClient.newHttpClient().send(HttpRequest.newBuilder()
                .uri(URI.create("http://127.0.0.1:" + port + "/v1/responses/" + first.id())).header("Authorization", "Bearer " + KEY)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(gone.statusCode()).isEqualTo(404);
        JsonNode error = json.readTree(gone.body()).get("error");
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asString()).isEqualTo("Response with id '" + first.id() + "' not found.");
    }

    @Test
    void storeFalseKeepsNothing() {
        Response response = client.responses().create(ResponseCreateParams.builder().model("openai").input("Forget me")
                .store(false).build());
        assertThat(response._additionalProperties().get("store")).isEqualTo(JsonValue.from(false));
        Response streamed;
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(ResponseCreateParams.builder()
                .model("openai").input("Forget me").store(false).build())) {
            List<ResponseStreamEvent> events = stream.stream().toList();
            streamed = events.getLast().completed().orElseThrow().response();
        }
        Response stored = client.responses().create(ResponseCreateParams.builder().model("openai").input("Keep me").build());
        assertThat(redis.getBucket(key(TENANT, stored.id())).isExists()).isTrue();
        assertThat(redis.getBucket(key(TENANT, response.id())).isExists()).isFalse();
        assertThat(redis.getBucket(key(TENANT, streamed.id())).isExists()).isFalse();
        assertThat(redis.getKeys().getKeysStream(org.redisson.api.options.KeysScanOptions.defaults()
                .pattern("llmproxy:responses:*" + response.id().substring(5) + "*")).count()).isZero();
        assertThatThrownBy(() -> client.responses().retrieve(response.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void withoutAKeyIs401InOpenAiFormat() throws Exception {
        HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder()
                .uri(URI.create("http://127.0.0.1:" + port + "/v1/responses/resp_0123456789abcdef0123456789abcdef")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(401);
        assertThat(json.readTree(get.body()).get("error").get("type").asString()).isEqualTo("invalid_request_error");
        HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder()
                .uri(URI.create("http://127.0.0.1:" + port + "/v1/responses")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"openai\",\"input\":\"x\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(401);
    }

    String quote(String text) {
        return json.writeValueAsString(text);
    }
}
