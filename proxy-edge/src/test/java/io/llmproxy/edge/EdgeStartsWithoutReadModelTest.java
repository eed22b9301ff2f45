package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
import io.llmproxy.edge.support.TcpForwarder;
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
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
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
 * The edge starts while its read model is unreachable (issue #9): its datasource points at a TCP
 * forwarder that is not listening yet (PostgreSQL itself is never stopped). Until the first snapshot
 * has loaded, readiness is DOWN ({@code OUT_OF_SERVICE}, 503) and every call, with a real key, gets
 * 503 with {@code Retry-After} in its client's format — never 401. Then the forwarder starts: the
 * edge loads, readiness turns UP and the same calls answer 200.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms",
        "spring.datasource.hikari.connection-timeout=1000"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeStartsWithoutReadModelTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String TENANT = "t-start-" + UUID.randomUUID();
    static final String KEY = ApiKeys.generate();
    static final String KEY_ID = "k-start-" + UUID.randomUUID();
    static final TcpForwarder POSTGRES = new TcpForwarder(LocalPostgres.host(), Integer.parseInt(LocalPostgres.port()));
    static UsageConsumer usage;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        int simulator = SimulatorServer.port();
        String dbUrl = ReadModelDatabase.create("llmproxy_edge_startup_it");
        JdbcTemplate db = ReadModelDatabase.jdbc(dbUrl);
        Timestamp t0 = Timestamp.from(Instant.parse("2026-11-29T10:00:00Z"));
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'x', ?, 1)", TENANT, t0);
        db.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES (?, ?, 'k', ?, ?, 'ACTIVE', ?, 2)", KEY_ID, TENANT, ApiKeys.hash(KEY), ApiKeys.displayPrefix(KEY), t0);
        db.update("INSERT INTO rm_provider VALUES ('p1', 'sim', 'openai', ?, ?, ?, 3)",
                "http://127.0.0.1:" + simulator + "/v1", new SecretCipher(SECRET).encrypt("sk-sim"), t0);
        db.update("INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) "
                + "VALUES ('gpt-4o-mini', 'gpt-4o-mini', '[{\"providerId\":\"p1\",\"model\":\"sim-gpt-4o-mini\"}]'::jsonb, ?, 4)", t0);
        // the same database, through the forwarder that is not listening yet
        String viaForwarder = dbUrl.replace("//" + LocalPostgres.host() + ":" + LocalPostgres.port() + "/",
                "//127.0.0.1:" + POSTGRES.port() + "/");
        registry.add("spring.datasource.url", () -> viaForwarder);
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
    ApplicationAvailability availability;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @AfterAll
    static void close() {
        POSTGRES.close();
        if (usage != null) {
            usage.close();
            usage = null;
        }
    }

    enum Format { OPENAI, ANTHROPIC, OLLAMA }

    /** Every client endpoint that needs a key. */
    enum Endpoint {
        OPENAI_CHAT("POST", "/v1/chat/completions", "chat.completions", Format.OPENAI,
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        OPENAI_EMBEDDINGS("POST", "/v1/embeddings", "embeddings", Format.OPENAI, "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}"),
        OPENAI_MODELS("GET", "/v1/models", "models", Format.OPENAI, null),
        ANTHROPIC_MESSAGES("POST", "/v1/messages", "messages", Format.ANTHROPIC,
                "{\"model\":\"gpt-4o-mini\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        OLLAMA_CHAT("POST", "/api/chat", "ollama.chat", Format.OLLAMA,
                "{\"model\":\"gpt-4o-mini\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        OLLAMA_GENERATE("POST", "/api/generate", "ollama.generate", Format.OLLAMA,
                "{\"model\":\"gpt-4o-mini\",\"stream\":false,\"prompt\":\"hi\"}"),
        OLLAMA_EMBED("POST", "/api/embed", "embeddings", Format.OLLAMA, "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}"),
        OLLAMA_TAGS("GET", "/api/tags", "ollama.tags", Format.OLLAMA, null),
        OLLAMA_SHOW("POST", "/api/show", "ollama.show", Format.OLLAMA, "{\"model\":\"gpt-4o-mini\"}");

        final String method;
        final String path;
        final String usageEndpoint;
        final Format format;
        final String body;

        Endpoint(String method, String path, String usageEndpoint, Format format, String body) {
            this.method = method;
            this.path = path;
            this.usageEndpoint = usageEndpoint;
            this.format = format;
            this.body = body;
        }
    }

    HttpResponse<String> send(Endpoint e, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Duration.ofSeconds(30))
                .uri(URI.create("http://127.0.0.1:" + port + e.path))
                .method(e.method, e.body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(e.body));
        if (e.body != null) {
            b.header("Content-Type", "application/json");
        }
        if (key != null && e.format == Format.ANTHROPIC) {
            b.header("x-api-key", key).header("anthropic-version", "2023-06-01");
        } else if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).uri(URI.create("http://127.0.0.1:" + port + path))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    List<UsageRecorded> notReadyEvents(Endpoint e) {
        return usage.events().stream().filter(u -> e.usageEndpoint.equals(u.endpoint()) && "not_ready".equals(u.refusalReason()))
                .toList();
    }

    @Test
    @Order(1)
    void readinessIsDownAndLivenessUpWhileTheSnapshotCannotLoad() throws Exception {
        usage = new UsageConsumer(broker.getBrokersAsString(), json);
        assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
        HttpResponse<String> readiness = get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(json.readTree(readiness.body()).get("status").asString()).isEqualTo("OUT_OF_SERVICE");
        HttpResponse<String> liveness = get("/actuator/health/liveness");
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(json.readTree(liveness.body()).get("status").asString()).isEqualTo("UP");
    }

    @ParameterizedTest
    @EnumSource(Endpoint.class)
    @Order(2)
    void aCallBeforeTheSnapshotLoadedGets503WithRetryAfterInItsFormatNever401(Endpoint endpoint) throws Exception {
        int before = notReadyEvents(endpoint).size();
        for (String key : new String[] {KEY, ApiKeys.generate(), null}) { // a real key, an unknown one, none
            HttpResponse<String> response = send(endpoint, key);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(response.headers().firstValue("retry-after")).contains("1");
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            JsonNode body = json.readTree(response.body());
            switch (endpoint.format) {
                case OPENAI -> {
                    assertThat(body.get("error").get("code").asString()).isEqualTo("not_ready");
                    assertThat(body.get("error").get("type").asString()).isEqualTo("server_error");
                }
                case ANTHROPIC -> {
                    assertThat(body.get("type").asString()).isEqualTo("error");
                    assertThat(body.get("error").get("type").asString()).isEqualTo("overloaded_error");
                }
                case OLLAMA -> {
                    assertThat(body.propertyNames()).containsExactly("error");
                    assertThat(body.get("error").asString()).contains("retry");
                }
            }
        }
        // each refused call has its usage event (as every refusal), with nothing billed
        await().atMost(Duration.ofSeconds(20)).until(() -> notReadyEvents(endpoint).size() == before + 3);
        assertThat(notReadyEvents(endpoint)).allSatisfy(u -> {
            assertThat(u.httpStatus()).isEqualTo(503);
            assertThat(u.outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);
            assertThat(u.totalTokens()).isZero();
        });
    }

    @Test
    @Order(3)
    void onceTheReadModelIsReachableTheEdgeLoadsTurnsReadyAndServes() throws Exception {
        assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
        POSTGRES.start();

        await().atMost(Duration.ofSeconds(20)).until(() -> get("/actuator/health/readiness").statusCode() == 200);
        assertThat(json.readTree(get("/actuator/health/readiness").body()).get("status").asString()).isEqualTo("UP");
        assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
        for (Endpoint endpoint : Endpoint.values()) {
            HttpResponse<String> response = send(endpoint, KEY);
            assertThat(response.statusCode()).as(endpoint + ": " + response.body()).isEqualTo(200);
        }
        assertThat(send(Endpoint.OPENAI_CHAT, ApiKeys.generate()).statusCode()).isEqualTo(401);
    }
}
