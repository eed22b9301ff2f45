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
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
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
 * Tenants stay apart at the edge (issue #9): a call resolves only the public names of global routes
 * and of its own tenant's routes. Every endpoint that takes a model, in every client format, is
 * sent tenant B's private route by its id and other spellings of B's (and A's own) internal ids
 * with tenant A's key: each is 404 model-not-found in that API's own error format, bills nothing,
 * and (for chat and embeddings) publishes the refused call's usage event for A as any refusal does.
 * Listings show global routes and the caller's own only.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgeRouteIsolationTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String TENANT_A = "ta-" + UUID.randomUUID();
    static final String TENANT_B = "tb-" + UUID.randomUUID();
    static final String KEY_A = ApiKeys.generate();
    static final String KEY_B = ApiKeys.generate();
    static final String KEY_A_ID = "ka-" + UUID.randomUUID();
    static final String KEY_B_ID = "kb-" + UUID.randomUUID();
    static UsageConsumer usage;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        int simulator = SimulatorServer.port();
        String dbUrl = ReadModelDatabase.create("llmproxy_edge_isolation_it");
        JdbcTemplate db = ReadModelDatabase.jdbc(dbUrl);
        Timestamp t0 = Timestamp.from(Instant.parse("2026-11-29T10:00:00Z"));
        db.update("INSERT INTO rm_provider VALUES ('p1', 'sim', 'openai', ?, ?, ?, 1)",
                "http://127.0.0.1:" + simulator + "/v1", new SecretCipher(SECRET).encrypt("sk-sim"), t0);
        String tenant = "INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, ?, ?, ?)";
        db.update(tenant, TENANT_A, "a", t0, 2);
        db.update(tenant, TENANT_B, "b", t0, 3);
        String key = "INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES (?, ?, 'k', ?, ?, 'ACTIVE', ?, ?)";
        db.update(key, KEY_A_ID, TENANT_A, ApiKeys.hash(KEY_A), ApiKeys.displayPrefix(KEY_A), t0, 4);
        db.update(key, KEY_B_ID, TENANT_B, ApiKeys.hash(KEY_B), ApiKeys.displayPrefix(KEY_B), t0, 5);
        String route = "INSERT INTO rm_route (route_id, tenant_id, model, targets, updated_at, change_index) "
                + "VALUES (?, ?, ?, '[{\"providerId\":\"p1\",\"model\":\"sim-gpt-4o-mini\"}]'::jsonb, ?, ?)";
        db.update(route, "gpt-4o-mini", null, "gpt-4o-mini", t0, 6);
        db.update(route, TENANT_A + "/a-model", TENANT_A, "a-model", t0, 7);
        db.update(route, TENANT_B + "/secret-model", TENANT_B, "secret-model", t0, 8);
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
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().changeIndex() >= 8);
        synchronized (EdgeRouteIsolationTest.class) {
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

    /** Every endpoint that resolves a model, with its client format's body and error shape. */
    enum Endpoint {
        OPENAI_CHAT("/v1/chat/completions", "chat.completions", Format.OPENAI,
                m -> "{\"model\":" + m + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        ANTHROPIC_MESSAGES("/v1/messages", "messages", Format.ANTHROPIC,
                m -> "{\"model\":" + m + ",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        OLLAMA_CHAT("/api/chat", "ollama.chat", Format.OLLAMA,
                m -> "{\"model\":" + m + ",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        OLLAMA_GENERATE("/api/generate", "ollama.generate", Format.OLLAMA,
                m -> "{\"model\":" + m + ",\"stream\":false,\"prompt\":\"hi\"}"),
        OPENAI_EMBEDDINGS("/v1/embeddings", "embeddings", Format.OPENAI, m -> "{\"model\":" + m + ",\"input\":\"hi\"}"),
        OLLAMA_EMBED("/api/embed", "embeddings", Format.OLLAMA, m -> "{\"model\":" + m + ",\"input\":\"hi\"}"),
        /** no usage event: model lookups are not calls */
        OLLAMA_SHOW("/api/show", null, Format.OLLAMA, m -> "{\"model\":" + m + "}");

        final String path;
        final String usageEndpoint;
        final Format format;
        final Function<String, String> body;

        Endpoint(String path, String usageEndpoint, Format format, Function<String, String> body) {
            this.path = path;
            this.usageEndpoint = usageEndpoint;
            this.format = format;
            this.body = body;
        }
    }

    enum Format { OPENAI, ANTHROPIC, OLLAMA }

    /** Tenant B's route by its id, and other spellings of internal ids (B's and A's own). */
    static List<String> internalIds() {
        return List.of(
                TENANT_B + "/secret-model",
                TENANT_B.toUpperCase(Locale.ROOT) + "/secret-model",
                TENANT_B + "//secret-model",
                TENANT_B + "/secret-model/",
                TENANT_B + "/./secret-model",
                TENANT_B + "%2Fsecret-model",
                TENANT_B + "\\secret-model",
                " " + TENANT_B + "/secret-model",
                TENANT_A + "/" + TENANT_B + "/secret-model",
                "/secret-model",
                "secret-model",
                TENANT_A + "/a-model",
                TENANT_A + "/gpt-4o-mini");
    }

    static Stream<Arguments> everyEndpointTimesEveryInternalId() {
        List<Arguments> out = new ArrayList<>();
        for (Endpoint e : Endpoint.values()) {
            for (String id : internalIds()) {
                out.add(Arguments.of(e, id));
            }
        }
        return out.stream();
    }

    HttpResponse<String> post(Endpoint endpoint, String key, String model) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Duration.ofSeconds(30))
                .uri(URI.create("http://127.0.0.1:" + port + endpoint.path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(endpoint.body.apply(json.writeValueAsString(model))));
        if (endpoint.format == Format.ANTHROPIC) {
            b.header("x-api-key", key).header("anthropic-version", "2023-06-01");
        } else {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String key) throws Exception {
        return http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).uri(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "{0} with model \"{1}\"")
    @MethodSource("everyEndpointTimesEveryInternalId")
    void anInternalIdIsNeverAModelName(Endpoint endpoint, String model) throws Exception {
        HttpResponse<String> response = post(endpoint, KEY_A, model);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = json.readTree(response.body());
        switch (endpoint.format) {
            case OPENAI -> {
                assertThat(body.get("error").get("code").asString()).isEqualTo("model_not_found");
                assertThat(body.get("error").get("type").asString()).isEqualTo("invalid_request_error");
                assertThat(body.get("error").get("param").asString()).isEqualTo("model");
            }
            case ANTHROPIC -> {
                assertThat(body.get("type").asString()).isEqualTo("error");
                assertThat(body.get("error").get("type").asString()).isEqualTo("not_found_error");
            }
            case OLLAMA -> {
                assertThat(body.propertyNames()).containsExactly("error");
                assertThat(body.get("error").asString()).contains(model);
            }
        }
        if (endpoint.usageEndpoint != null) {
            // the refused call's usage event, as for any refusal: the caller's, status 404, nothing billed
            await().atMost(Duration.ofSeconds(20)).until(() -> !events(endpoint, model).isEmpty());
            assertThat(events(endpoint, model)).allSatisfy(e -> {
                assertThat(e.tenantId()).isEqualTo(TENANT_A);
                assertThat(e.httpStatus()).isEqualTo(404);
                assertThat(e.outcome()).isEqualTo(Outcome.CLIENT_ERROR);
                assertThat(e.providerId()).isNull();
                assertThat(e.promptTokens() + e.completionTokens() + e.totalTokens()).isZero();
            });
        }
        // nothing is ever recorded for tenant B but its own key's calls
        assertThat(usage.events()).noneMatch(e -> TENANT_B.equals(e.tenantId()) && !KEY_B_ID.equals(e.apiKeyId()));
    }

    List<UsageRecorded> events(Endpoint endpoint, String model) {
        return usage.events().stream().filter(e -> KEY_A_ID.equals(e.apiKeyId()) && endpoint.usageEndpoint.equals(e.endpoint())
                && model.equals(e.model())).toList();
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    void aTenantsOwnRouteAndTheGlobalOnesAnswerByPublicName(Endpoint endpoint) throws Exception {
        int before = endpoint.usageEndpoint == null ? 0 : ownEvents(endpoint).size();
        for (String model : List.of("a-model", "gpt-4o-mini")) {
            HttpResponse<String> response = post(endpoint, KEY_A, model);
            assertThat(response.statusCode()).as(endpoint + " " + model + ": " + response.body()).isEqualTo(200);
        }
        // the route the table above tries to reach exists and answers its own tenant
        HttpResponse<String> own = post(endpoint, KEY_B, "secret-model");
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
        if (endpoint.usageEndpoint != null) {
            await().atMost(Duration.ofSeconds(20)).until(() -> ownEvents(endpoint).size() == before + 1);
            UsageRecorded a = ownEvents(endpoint).getLast();
            assertThat(a.tenantId()).isEqualTo(TENANT_A);
            assertThat(a.providerModel()).isEqualTo("sim-gpt-4o-mini");
            assertThat(a.promptTokens()).isPositive();
        }
    }

    /** @return the successful calls of A's own route on the endpoint (both embeddings formats report {@code embeddings}) */
    List<UsageRecorded> ownEvents(Endpoint endpoint) {
        return usage.events().stream().filter(e -> KEY_A_ID.equals(e.apiKeyId()) && endpoint.usageEndpoint.equals(e.endpoint())
                && "a-model".equals(e.model()) && e.httpStatus() == 200).toList();
    }

    @Test
    void listingsShowTheGlobalRoutesAndTheCallersOwnOnly() throws Exception {
        assertThat(json.readTree(get("/v1/models", KEY_A).body()).get("data").valueStream().map(m -> m.get("id").asString()))
                .containsExactly("a-model", "gpt-4o-mini");
        assertThat(json.readTree(get("/v1/models", KEY_B).body()).get("data").valueStream().map(m -> m.get("id").asString()))
                .containsExactly("gpt-4o-mini", "secret-model");
        assertThat(json.readTree(get("/api/tags", KEY_A).body()).get("models").valueStream().map(m -> m.get("name").asString()))
                .containsExactly("a-model", "gpt-4o-mini");
        assertThat(json.readTree(get("/api/tags", KEY_B).body()).get("models").valueStream().map(m -> m.get("name").asString()))
                .containsExactly("gpt-4o-mini", "secret-model");
        HttpResponse<String> show = post(Endpoint.OLLAMA_SHOW, KEY_A, "secret-model");
        assertThat(show.statusCode()).isEqualTo(404);
        assertThat(show.body()).isEqualTo("{\"error\":\"model 'secret-model' not found\"}");
    }
}
