package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.FreePorts;
import io.llmproxy.testsupport.LocalPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
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
 * Issue #9 part 3: a Redis that stalls ({@code CLIENT PAUSE}) or drops the edge's connections
 * ({@code CLIENT KILL}) in the reserve step or in the settle step never leaves a quota counter
 * holding what no call uses. The test runs its own {@code redis-server} on a free port (never the
 * shared one). After each variant, once the edge's background compensations have run: no
 * concurrency lease is left, no reservation record is left, the token counter equals exactly the
 * tokens of the calls that were served, and a new call is served at once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=50ms",
        "llmproxy.edge.quota-store-timeout=400ms",
        "llmproxy.edge.quota.compensation=60s"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgeQuotaStallTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final AtomicInteger TENANTS = new AtomicInteger();
    static Process redis;
    static int redisPort;
    static JdbcTemplate db;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        redisPort = freePort();
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> "PONG".equals(cli("PING")));
        int simulator = SimulatorServer.port();
        String url = ReadModelDatabase.create("llmproxy_edge_quota_stall_it");
        db = ReadModelDatabase.jdbc(url);
        Timestamp t0 = Timestamp.from(Instant.now());
        db.update("INSERT INTO rm_provider VALUES ('p1', 'sim', 'openai', ?, ?, ?, 1)",
                "http://127.0.0.1:" + simulator + "/v1", new SecretCipher(SECRET).encrypt("sk-sim"), t0);
        db.update("INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES ('m', 'm', "
                + "'[{\"providerId\":\"p1\",\"model\":\"sim\"}]'::jsonb, ?, 2)", t0);
        db.update("INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES ('slow', 'slow', "
                + "'[{\"providerId\":\"p1\",\"model\":\"sim-slow-400\"}]'::jsonb, ?, 2)", t0);
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> SECRET);
        registry.add("llmproxy.edge.redis-url", () -> "redis://127.0.0.1:" + redisPort);
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        return FreePorts.next();
    }

    /** One command to the test's own Redis through {@code redis-cli}; its trimmed output. */
    static String cli(String... command) throws Exception {
        List<String> argv = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(redisPort)));
        argv.addAll(Arrays.asList(command));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    static long number(String... command) throws Exception {
        String out = cli(command);
        return out.isEmpty() ? 0 : Long.parseLong(out);
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;
    @Autowired
    io.llmproxy.edge.snapshot.SnapshotStore snapshots;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    CompletableFuture<HttpResponse<String>> chat(String key, String model) {
        return http.sendAsync(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30))
                .uri(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":4,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Where Redis stalls or drops the edge, relative to the calls. */
    enum Fault {
        /** {@code CLIENT PAUSE 2500 ALL} while calls reserve: they get 503, their scripts run at resume. */
        PAUSE_IN_RESERVE,
        /** the edge's connections killed while its reserve scripts wait behind a write pause. */
        KILL_IN_RESERVE,
        /** {@code CLIENT PAUSE 2500 ALL} while served calls finish: their settlements wait, time out, retry. */
        PAUSE_IN_SETTLE,
        /** the edge's connections killed while its settlements wait behind a write pause. */
        KILL_IN_SETTLE
    }

    String tenantWithKey(String limits) {
        String t = "t-stall-" + TENANTS.incrementAndGet();
        String key = ApiKeys.generate();
        long index = 10 + TENANTS.get() * 2L;
        Timestamp now = Timestamp.from(Instant.now());
        db.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, "
                + "change_index) VALUES (?, ?, 'k', ?, 'llmp_x', 'ACTIVE', ?, ?)", "k-" + t, t, ApiKeys.hash(key), now, index);
        db.update("INSERT INTO rm_quota_policy VALUES ('TENANT', ?, ?, ?::jsonb, ?, ?)", t, t, limits, now, index + 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> snapshots.current().changeIndex() >= index + 1);
        return t + "|" + key;
    }

    long tokensServed(List<HttpResponse<String>> responses) {
        long total = 0;
        for (HttpResponse<String> r : responses) {
            if (r.statusCode() == 200) {
                JsonNode usage = json.readTree(r.body()).get("usage");
                total += usage.get("total_tokens").asLong();
            }
        }
        return total;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Fault.class)
    void countersEqualWhatTheServedCallsUsedAfterRedisRecovers(Fault fault) throws Exception {
        String[] tk = tenantWithKey("{\"maxConcurrentRequests\":3,\"tokensPerDay\":1000000}").split("\\|");
        String t = tk[0];
        String key = tk[1];
        String prefix = "llmq:{" + t + "}:";
        String lease = prefix + "TENANT:" + t + ":lease";
        String tokensPerDay = prefix + "TENANT:" + t + ":tpd:" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd")
                .withZone(java.time.ZoneOffset.UTC).format(Instant.now());
        // warm: the connection and the scripts are loaded
        HttpResponse<String> warm = chat(key, "m").get(30, TimeUnit.SECONDS);
        assertThat(warm.statusCode()).as(warm.body()).isEqualTo(200);
        List<HttpResponse<String>> all = new ArrayList<>(List.of(warm));

        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        switch (fault) {
            case PAUSE_IN_RESERVE -> {
                assertThat(cli("CLIENT", "PAUSE", "2500", "ALL")).isEqualTo("OK");
                for (int i = 0; i < 5; i++) {
                    calls.add(chat(key, "m"));
                }
            }
            case KILL_IN_RESERVE -> {
                assertThat(cli("CLIENT", "PAUSE", "2500", "WRITE")).isEqualTo("OK");
                for (int i = 0; i < 5; i++) {
                    calls.add(chat(key, "m"));
                }
                Thread.sleep(200);
                cli("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
                cli("CLIENT", "UNPAUSE");
            }
            case PAUSE_IN_SETTLE, KILL_IN_SETTLE -> {
                for (int i = 0; i < 3; i++) {
                    calls.add(chat(key, "slow"));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> number("ZCARD", lease) == 3);
                assertThat(cli("CLIENT", "PAUSE", "2500", fault == Fault.PAUSE_IN_SETTLE ? "ALL" : "WRITE")).isEqualTo("OK");
                if (fault == Fault.KILL_IN_SETTLE) {
                    // the three calls end (sim-slow-400 × 4 tokens) while the settlements wait
                    Thread.sleep(2200);
                    cli("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
                    cli("CLIENT", "UNPAUSE");
                }
            }
        }
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            HttpResponse<String> r = c.get(30, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isIn(200, 503);
            all.add(r);
        }
        if (fault == Fault.PAUSE_IN_RESERVE || fault == Fault.KILL_IN_RESERVE) {
            assertThat(calls).allSatisfy(c -> assertThat(c.get().statusCode()).isEqualTo(503));
        } else {
            assertThat(calls).allSatisfy(c -> assertThat(c.get().statusCode()).isEqualTo(200));
        }
        long served = tokensServed(all);

        // after recovery: nothing held, counters exact
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(number("ZCARD", lease)).isZero();
            assertThat(cli("--scan", "--pattern", prefix + "res:*")).isEmpty();
            assertThat(number("GET", tokensPerDay)).isEqualTo(served);
        });
        // and a new call is served at once, not 429
        HttpResponse<String> after = chat(key, "m").get(30, TimeUnit.SECONDS);
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
        assertThat(number("ZCARD", lease)).isZero();
    }

    /**
     * Redis itself stops, after the edge has connected, and comes back on the same port empty (no
     * persistence: the scripts are gone too). While it is away a call is refused with 503
     * {@code quota_store_unavailable} (fail-closed, the default); once it is back, calls are served
     * again, the scripts loaded again through {@code EVAL}. The quota's Redis calls leave from the event
     * loop once Redisson has connected (issue #16): BlockHound runs, and a blocking call anywhere in
     * Redisson's reconnect would fail this test even if the quota's failure handler caught it.
     */
    @Test
    void aRedisThatStopsAndComesBackIsReconnectedWithoutBlockingAnEventLoop() throws Exception {
        String key = tenantWithKey("{\"requestsPerMinute\":1000}").split("\\|")[1];
        HttpResponse<String> before = chat(key, "m").get(30, TimeUnit.SECONDS);
        assertThat(before.statusCode()).as(before.body()).isEqualTo(200);

        redis.destroy();
        assertThat(redis.waitFor(10, TimeUnit.SECONDS)).isTrue();
        HttpResponse<String> away = chat(key, "m").get(30, TimeUnit.SECONDS);
        assertThat(away.statusCode()).as(away.body()).isEqualTo(503);
        assertThat(json.readTree(away.body()).at("/error/code").asString()).isEqualTo("quota_store_unavailable");

        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> "PONG".equals(cli("PING")));
        assertThat(cli("DBSIZE")).isEqualTo("0"); // a new, empty Redis: no counters, no scripts
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> chat(key, "m").get(30, TimeUnit.SECONDS).statusCode() == 200);
        HttpResponse<String> back = chat(key, "m").get(30, TimeUnit.SECONDS);
        assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
        assertThat(back.headers().firstValue("x-ratelimit-limit-requests")).hasValue("1000");
    }
}
