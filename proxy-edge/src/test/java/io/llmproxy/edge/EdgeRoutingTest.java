package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.llmproxy.edge.routing.TargetHealth;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import io.llmproxy.edge.snapshot.SnapshotStore;
import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
import io.llmproxy.edge.support.UsageConsumer;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.kernel.usage.UsageAttempt;
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
import java.util.concurrent.atomic.AtomicLong;
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
 * Routing and failover through the real edge (issue #11): routes with several targets on the real
 * simulator (its model-name knobs make a target fail), real Redis quotas and embedded Kafka for the
 * usage events. Each case has its own providers, so breakers and cooldowns never leak between cases.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgeRoutingTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String TENANT = "tr-" + UUID.randomUUID();
    static final String KEY = ApiKeys.generate();
    static final String KEY_ID = "kr-" + UUID.randomUUID();
    static final AtomicLong CHANGE = new AtomicLong(1);
    static JdbcTemplate db;
    static String simulator;
    static UsageConsumer usage;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        simulator = "http://127.0.0.1:" + SimulatorServer.port() + "/v1";
        String dbUrl = ReadModelDatabase.create("llmproxy_edge_routing_it");
        db = ReadModelDatabase.jdbc(dbUrl);
        Timestamp t0 = Timestamp.from(Instant.parse("2026-12-05T10:00:00Z"));
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'r', ?, ?)", TENANT, t0,
                CHANGE.getAndIncrement());
        db.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, "
                + "change_index) VALUES (?, ?, 'k', ?, ?, 'ACTIVE', ?, ?)", KEY_ID, TENANT, ApiKeys.hash(KEY),
                ApiKeys.displayPrefix(KEY), t0, CHANGE.getAndIncrement());
        for (String p : List.of("p-ok", "p-a", "p-c", "p-d", "p-e", "p-f", "p-g", "p-h", "p-i", "p-j", "p-k", "p-s",
                "p-w70", "p-w30", "p-fast", "p-slow", "p-fa", "p-fb", "p-t")) {
            provider(p, simulator);
        }
        provider("p-down", "http://127.0.0.1:1/v1");
        SecretCipher cipher = new SecretCipher(SECRET);
        db.update("INSERT INTO rm_provider VALUES ('p-multi', 'multi', 'openai', ?, ?, ?, ?, ?::jsonb)", simulator,
                cipher.encrypt("sk-sim-key-429"), Timestamp.from(Instant.now()), CHANGE.getAndIncrement(),
                "[\"" + cipher.encrypt("sk-good") + "\"]");
        db.update("INSERT INTO rm_provider VALUES ('p-refused', 'refused', 'openai', ?, ?, ?, ?, ?::jsonb)", simulator,
                cipher.encrypt("sk-sim-key-401"), Timestamp.from(Instant.now()), CHANGE.getAndIncrement(),
                "[\"" + cipher.encrypt("sk-fine") + "\"]");
        route("creds", null, "[" + target("p-multi", "ok-m", 0) + "]", null);
        route("creds-refused", null, "[" + target("p-refused", "ok-r", 0) + "]", null);
        route("failover", "priority", "[" + target("p-a", "sim-error-503", 0) + "," + target("p-ok", "ok-a", 1) + "]", null);
        route("no-retry", "priority", "[" + target("p-c", "sim-error-400", 0) + "," + target("p-ok", "ok-c", 1) + "]", null);
        route("unreachable", "priority", "[" + target("p-down", "x", 0) + "," + target("p-ok", "ok-u", 1) + "]", null);
        route("all-down", "priority", "[" + target("p-d", "sim-error-503", 0) + "," + target("p-e", "sim-error-502", 1) + "]", null);
        route("cooldown", "priority", "[" + target("p-f", "sim-error-429", 0) + "," + target("p-ok", "ok-f", 1) + "]", null);
        route("breaker", "priority", "[" + target("p-g", "sim-error-500", 0) + "," + target("p-ok", "ok-g", 1) + "]", null);
        route("fb-primary", null, "[" + target("p-h", "sim-error-503", 0) + "]", "\"fallbacks\":[\"fb-secondary\"]");
        route("fb-secondary", null, "[" + target("p-ok", "ok-fb", 0) + "]", null);
        route("cut", "priority", "[" + target("p-i", "gpt-sim-fault-cut", 0) + "," + target("p-ok", "ok-i", 1) + "]", null);
        route("embed", "priority", "[" + target("p-j", "sim-error-503", 0) + "," + target("p-ok", "text-embedding-3-small", 1)
                + "]", null);
        route("slow", "priority", "[" + target("p-k", "sim-slow-400", 0) + "," + target("p-ok", "ok-k", 1) + "]",
                "\"timeouts\":{\"ttfbMs\":300}");
        route("stream-failover", "priority", "[" + target("p-s", "sim-error-503", 0) + "," + target("p-ok", "ok-s", 1)
                + "]", null);
        route("weighted", "weighted", "[{\"providerId\":\"p-w70\",\"model\":\"w\",\"weight\":70},"
                + "{\"providerId\":\"p-w30\",\"model\":\"w\",\"weight\":30}]", null);
        route("latency", "least-latency", "[" + target("p-slow", "sim-slow-40", 0) + "," + target("p-fast", "sim-slow-4", 1)
                + "]", null);
        // the simulator counts requests per model name: the first of the two attempts fails, the second succeeds
        route("fail-once", "priority", "[" + target("p-fa", "gpt-sim-fail-1-503", 0) + "," + target("p-fb", "gpt-sim-fail-1-503", 1)
                + "]", null);
        route("ttft", "priority", "[" + target("p-t", "gpt-sim-ttft-800", 0) + "," + target("p-ok", "ok-t", 1) + "]",
                "\"timeouts\":{\"ttfbMs\":300}");
        route("idle-cut", null, "[" + target("p-ok", "sim-slow-1500", 0) + "]", "\"timeouts\":{\"idleMs\":1000}");
        route("idle-ok", null, "[" + target("p-ok", "sim-slow-300", 0) + "]", "\"timeouts\":{\"idleMs\":1000}");
        registry.add("spring.datasource.url", () -> dbUrl);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> SECRET);
    }

    static void provider(String id, String baseUrl) {
        db.update("INSERT INTO rm_provider VALUES (?, ?, 'openai', ?, ?, ?, ?)", id, "sim-" + id, baseUrl,
                new SecretCipher(SECRET).encrypt("sk-" + id), Timestamp.from(Instant.now()), CHANGE.getAndIncrement());
    }

    static String target(String providerId, String model, int priority) {
        return "{\"providerId\":\"" + providerId + "\",\"model\":\"" + model + "\",\"priority\":" + priority + "}";
    }

    static void route(String model, String strategy, String targets, String more) {
        String policy = "{" + (strategy == null ? "" : "\"strategy\":\"" + strategy + "\"")
                + (more == null ? "" : (strategy == null ? "" : ",") + more) + "}";
        db.update("INSERT INTO rm_route (route_id, tenant_id, model, targets, policy, updated_at, change_index) "
                + "VALUES (?, NULL, ?, ?::jsonb, ?::jsonb, ?, ?)", model, model, targets, policy,
                Timestamp.from(Instant.now()), CHANGE.getAndIncrement());
    }

    @LocalServerPort
    int port;
    @Autowired
    EmbeddedKafkaBroker broker;
    @Autowired
    JsonMapper json;
    @Autowired
    SnapshotStore snapshots;
    @Autowired
    TargetHealth health;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void ready() {
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().changeIndex() >= CHANGE.get() - 1);
        synchronized (EdgeRoutingTest.class) {
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

    HttpResponse<String> chat(String model, boolean stream) throws Exception {
        return post("/v1/chat/completions", "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"say hello to routing\"}]}");
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** @return the usage events of {@code model}, once {@code count} arrived */
    List<UsageRecorded> events(String model, int count) {
        await().atMost(Duration.ofSeconds(15)).until(() -> usage.events().stream().filter(e -> model.equals(e.model())).count() >= count);
        return usage.events().stream().filter(e -> model.equals(e.model())).toList();
    }

    static String attempts(UsageRecorded e) {
        return String.join(" ", e.attempts().stream().map(a -> a.providerId() + ":" + (a.served() ? "served" : a.error()))
                .toList());
    }

    @Test
    void aPrimary503IsServedByTheSecondaryWithOneUsageEventOfTwoAttemptsBilledOnce() throws Exception {
        HttpResponse<String> r = chat("failover", false);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-llmproxy-attempts")).contains("2");
        assertThat(r.headers().firstValue("x-llmproxy-provider")).contains("p-ok");
        assertThat(r.headers().firstValue("x-llmproxy-model")).contains("ok-a");
        JsonNode body = json.readTree(r.body());
        List<UsageRecorded> events = events("failover", 1);
        assertThat(events).hasSize(1);
        UsageRecorded e = events.get(0);
        assertThat(e.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(e.providerId()).isEqualTo("p-ok");
        assertThat(e.providerModel()).isEqualTo("ok-a");
        assertThat(attempts(e)).isEqualTo("p-a:http_503 p-ok:served");
        assertThat(e.attempts().get(0).httpStatus()).isEqualTo(503);
        assertThat(e.promptTokens()).isEqualTo(body.get("usage").get("prompt_tokens").asLong()).isPositive();
        assertThat(e.completionTokens()).isEqualTo(body.get("usage").get("completion_tokens").asLong()).isPositive();
    }

    @Test
    void aStreamFailsOverBeforeItsFirstByte() throws Exception {
        HttpResponse<String> r = chat("stream-failover", true);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("data: [DONE]");
        assertThat(r.headers().firstValue("x-llmproxy-attempts")).contains("2");
        assertThat(attempts(events("stream-failover", 1).get(0))).isEqualTo("p-s:http_503 p-ok:served");
    }

    @Test
    void aProvider400IsNotRetried() throws Exception {
        HttpResponse<String> r = chat("no-retry", false);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("x-llmproxy-attempts")).contains("1");
        assertThat(attempts(events("no-retry", 1).get(0))).isEqualTo("p-c:http_400");
    }

    @Test
    void anUnreachableProviderFailsOver() throws Exception {
        HttpResponse<String> r = chat("unreachable", false);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(attempts(events("unreachable", 1).get(0))).isEqualTo("p-down:unreachable p-ok:served");
    }

    @Test
    void allTargetsDownIs503NamingTheModelAndTheAttemptsInEachFormat() throws Exception {
        HttpResponse<String> openai = chat("all-down", false);
        assertThat(openai.statusCode()).isEqualTo(503);
        JsonNode error = json.readTree(openai.body()).get("error");
        assertThat(error.get("code").asString()).isEqualTo("upstream_unavailable");
        assertThat(error.get("message").asString()).contains("All 2 attempts", "`all-down`").doesNotContain("sk-");
        HttpResponse<String> anthropic = post("/v1/messages", "{\"model\":\"all-down\",\"max_tokens\":16,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(anthropic.statusCode()).isEqualTo(503);
        assertThat(json.readTree(anthropic.body()).get("type").asString()).isEqualTo("error");
        assertThat(anthropic.body()).contains("All 2 attempts");
        List<UsageRecorded> events = events("all-down", 2);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);
            assertThat(e.promptTokens() + e.completionTokens()).isZero();
            assertThat(attempts(e)).isEqualTo("p-d:http_503 p-e:http_502");
        });
    }

    @Test
    void a429WithRetryAfterCoolsTheTargetDownThenItIsTriedAgain() throws Exception {
        assertThat(chat("cooldown", false).statusCode()).isEqualTo(200);
        assertThat(chat("cooldown", false).statusCode()).isEqualTo(200);
        Thread.sleep(1_300); // the simulator's Retry-After is 1 s
        assertThat(chat("cooldown", false).statusCode()).isEqualTo(200);
        List<UsageRecorded> events = events("cooldown", 3);
        assertThat(events.stream().map(EdgeRoutingTest::attempts).toList())
                .containsExactly("p-f:http_429 p-ok:served", "p-ok:served", "p-f:http_429 p-ok:served");
    }

    @Test
    void fiveFailuresOpenTheBreakerAndTheTargetIsSkippedWithoutACall() throws Exception {
        for (int i = 0; i < 6; i++) {
            assertThat(chat("breaker", false).statusCode()).isEqualTo(200);
        }
        List<UsageRecorded> events = events("breaker", 6);
        assertThat(events.subList(0, 5)).allSatisfy(e -> assertThat(attempts(e)).isEqualTo("p-g:http_500 p-ok:served"));
        assertThat(attempts(events.get(5))).isEqualTo("p-ok:served");
        assertThat(health.breaker(new Target("p-g", "sim-error-500")).getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void aFallbackModelServesWhenEveryTargetOfTheRouteFailed() throws Exception {
        HttpResponse<String> r = chat("fb-primary", false);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        UsageRecorded e = events("fb-primary", 1).get(0);
        assertThat(attempts(e)).isEqualTo("p-h:http_503 p-ok:served");
        assertThat(e.providerModel()).isEqualTo("ok-fb");
    }

    @Test
    void aStreamCutAfterItsFirstBytesEndsWithAnErrorEventAndNoFailover() throws Exception {
        HttpResponse<String> r = chat("cut", true);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("data: [DONE]").contains("\"error\"");
        UsageRecorded e = events("cut", 1).get(0);
        assertThat(e.outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);
        assertThat(e.attempts()).extracting(UsageAttempt::providerId).containsExactly("p-i");
    }

    @Test
    void embeddingsFailOverInTheSameLoop() throws Exception {
        HttpResponse<String> r = post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"hello\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-llmproxy-attempts")).contains("2");
        assertThat(attempts(events("embed", 1).get(0))).isEqualTo("p-j:http_503 p-ok:served");
    }

    @Test
    void weights70To30SplitTwoThousandCallsWithin5Points() throws Exception {
        int n = 2_000;
        int first = 0;
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = post("/v1/embeddings", "{\"model\":\"weighted\",\"input\":\"x\"}");
            assertThat(r.statusCode()).isEqualTo(200);
            if (r.headers().firstValue("x-llmproxy-provider").orElseThrow().equals("p-w70")) {
                first++;
            }
        }
        assertThat(first / (double) n).isBetween(0.65, 0.75);
    }

    @Test
    void leastLatencyPrefersTheFastTargetAfterWarmUp() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertThat(chat("latency", false).statusCode()).isEqualTo(200);
        }
        List<UsageRecorded> events = events("latency", 10);
        // both are tried while unmeasured; from then on the 10× faster one serves
        assertThat(events.subList(3, 10)).allSatisfy(e -> assertThat(e.providerId()).isEqualTo("p-fast"));
        assertThat(events).anySatisfy(e -> assertThat(e.providerId()).isEqualTo("p-slow"));
    }

    @Test
    void theRoutesIdleTimeoutCutsASilentStreamButNeverAHealthyLongOne() throws Exception {
        HttpResponse<String> healthy = chat("idle-ok", true);
        assertThat(healthy.statusCode()).isEqualTo(200);
        assertThat(healthy.body()).contains("data: [DONE]").doesNotContain("\"error\"");
        UsageRecorded ok = events("idle-ok", 1).get(0);
        assertThat(ok.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(ok.latencyMs()).as("longer than the idle timeout in all").isGreaterThan(1_000);
        HttpResponse<String> silent = chat("idle-cut", true);
        assertThat(silent.statusCode()).isEqualTo(200);
        assertThat(silent.body()).doesNotContain("data: [DONE]").contains("\"error\"");
        assertThat(events("idle-cut", 1).get(0).outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);
    }

    @Test
    void aProvidersCredentialsAreUsedInTurnAndA429CoolsOnlyThatOneDown() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertThat(chat("creds", false).statusCode()).isEqualTo(200);
        }
        List<UsageRecorded> events = events("creds", 4);
        // the first credential is rate-limited: the same target is tried again with the next one,
        // and while it cools down every call takes the other at once
        assertThat(events.stream().map(EdgeRoutingTest::attempts).toList()).containsExactly(
                "p-multi:http_429 p-multi:served", "p-multi:served", "p-multi:served", "p-multi:served");
    }

    @Test
    void aRefusedCredentialIsSetAsideAndTheNextOneServes() throws Exception {
        assertThat(chat("creds-refused", false).statusCode()).isEqualTo(200);
        assertThat(chat("creds-refused", false).statusCode()).isEqualTo(200);
        assertThat(events("creds-refused", 2).stream().map(EdgeRoutingTest::attempts).toList())
                .containsExactly("p-refused:http_401 p-refused:served", "p-refused:served");
    }

    @Test
    void aTargetThatFailsOnceThenSucceedsIsRetriedOnTheNextAndATimeToFirstTokenPastTtfbFailsOver() throws Exception {
        assertThat(chat("fail-once", false).statusCode()).isEqualTo(200);
        assertThat(attempts(events("fail-once", 1).get(0))).isEqualTo("p-fa:http_503 p-fb:served");
        assertThat(chat("ttft", false).statusCode()).isEqualTo(200);
        assertThat(attempts(events("ttft", 1).get(0))).isEqualTo("p-t:timeout p-ok:served");
    }

    @Test
    void aSlowFirstBytePastTheRoutesTimeoutFailsOver() throws Exception {
        HttpResponse<String> r = chat("slow", false);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(attempts(events("slow", 1).get(0))).isEqualTo("p-k:timeout p-ok:served");
    }
}
