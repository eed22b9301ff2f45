package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.support.MutableClock;
import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.api.RedissonClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tenancy and quotas at the edge, on the real read model, the real Redis and the simulator:
 * calendar windows under a controllable clock, concurrency across two edge instances sharing
 * Redis, suspension, expiry, rotation grace, allowed models and tenant routes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=50ms",
        // 2 edges + simulator + Kafka share 2 cores here: allow slow answers, this test is about overspend
        // (a CI run once saw one of 200 concurrent reservations on a freshly started second edge pass 5 s)
        "llmproxy.edge.quota-store-timeout=20s"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgeTenancyAndQuotaTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final MutableClock CLOCK = new MutableClock(Instant.now());
    static final AtomicLong CHANGE = new AtomicLong(10);
    static String dbUrl;
    static JdbcTemplate db;

    @TestConfiguration
    static class ClockConfig {
        @Bean
        @Primary
        Clock testClock() {
            return CLOCK;
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        int simulator = SimulatorServer.port();
        dbUrl = ReadModelDatabase.create("llmproxy_edge_quota_it");
        db = ReadModelDatabase.jdbc(dbUrl);
        Timestamp t0 = Timestamp.from(Instant.parse("2026-11-01T00:00:00Z"));
        db.update("INSERT INTO rm_provider VALUES ('p1', 'sim', 'openai', ?, ?, ?, 1)",
                "http://127.0.0.1:" + simulator + "/v1", new SecretCipher(SECRET).encrypt("sk-sim"), t0);
        route(null, "gpt-4o-mini");
        route(null, "other-model");
        route(null, "slow-300"); // → simulator model sim-slow-300: 300 ms between tokens
        registry.add("spring.datasource.url", () -> dbUrl);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> SECRET);
    }

    /**
     * The second edge instance. Closed only when the JVM exits: closing a hand-built reactive
     * context disposes Reactor Netty's global resources, which the other servers in this JVM share.
     */
    static ConfigurableApplicationContext second;

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;
    @Autowired
    RedissonClient redis;
    @Autowired
    io.llmproxy.edge.snapshot.SnapshotStore snapshots;
    @Autowired
    org.springframework.core.env.Environment env;

    /** Every call has a deadline: a hang fails the test instead of stalling the build. */
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    // ---- read-model fixtures, written as the projection writes them ----

    static long next() {
        return CHANGE.incrementAndGet();
    }

    static void route(String tenantId, String model) {
        db.update("INSERT INTO rm_route (route_id, tenant_id, model, targets, updated_at, change_index) VALUES (?, ?, ?, ?::jsonb, ?, ?)",
                tenantId == null ? model : tenantId + "/" + model, tenantId, model,
                "[{\"providerId\":\"p1\",\"model\":\"sim-" + model + "\"}]", Timestamp.from(Instant.now()), next());
    }

    static String tenant() {
        String id = "t-" + UUID.randomUUID();
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'x', now(), ?)", id, next());
        return id;
    }

    /** @return the plain key */
    static String key(String tenantId, String apiKeyId, String allowedModelsJson, Instant expiresAt) {
        String key = ApiKeys.generate();
        db.update("""
                INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index,
                    allowed_models, expires_at) VALUES (?, ?, 'k', ?, ?, 'ACTIVE', now(), ?, ?::jsonb, ?)""",
                apiKeyId, tenantId, ApiKeys.hash(key), ApiKeys.displayPrefix(key), next(), allowedModelsJson,
                expiresAt == null ? null : Timestamp.from(expiresAt));
        return key;
    }

    static void quota(String tenantId, String scope, String subjectId, String limitsJson) {
        db.update("""
                INSERT INTO rm_quota_policy (scope, subject_id, tenant_id, limits, updated_at, change_index)
                VALUES (?, ?, ?, ?::jsonb, now(), ?)
                ON CONFLICT (scope, subject_id) DO UPDATE SET limits = excluded.limits, change_index = excluded.change_index""",
                scope, subjectId, tenantId, limitsJson, next());
    }

    void awaitSnapshot() {
        long target = CHANGE.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> snapshots.current().changeIndex() >= target);
    }

    HttpResponse<String> chat(int edgePort, String key, String model, int maxTokens) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Count the quota please\"}]}";
        return http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).uri(URI.create("http://127.0.0.1:" + edgePort + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode error(HttpResponse<String> response) {
        return json.readTree(response.body()).get("error");
    }

    // ---- tests ----

    @Test
    void requestsPerMinuteResetsAtTheNextUtcMinuteAndRefusalsCarryRetryAfterAndHeaders() throws Exception {
        CLOCK.set(Instant.parse("2026-11-29T10:15:40Z"));
        String t = tenant();
        String k = key(t, "k-" + t, null, null);
        quota(t, "TENANT", t, "{\"requestsPerMinute\":2}");
        awaitSnapshot();

        HttpResponse<String> first = chat(port, k, "gpt-4o-mini", 5);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).contains("2");
        assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).contains("1");
        assertThat(first.headers().firstValue("x-ratelimit-reset-requests")).contains("20s");
        assertThat(chat(port, k, "gpt-4o-mini", 5).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = chat(port, k, "gpt-4o-mini", 5);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).contains("20");
        assertThat(refused.headers().firstValue("x-ratelimit-remaining-requests")).contains("0");
        assertThat(error(refused).get("code").asString()).isEqualTo("rate_limit_exceeded");
        assertThat(error(refused).get("type").asString()).isEqualTo("requests");

        CLOCK.set(Instant.parse("2026-11-29T10:16:00Z"));
        assertThat(chat(port, k, "gpt-4o-mini", 5).statusCode()).isEqualTo(200);
    }

    @Test
    void quotaScriptsAreReloadedWhenRedisLostThem() throws Exception {
        CLOCK.set(Instant.now());
        String t = tenant();
        String k = key(t, "k-" + t, null, null);
        quota(t, "TENANT", t, "{\"requestsPerMinute\":5}");
        awaitSnapshot();
        redis.getScript().scriptFlush(); // as after a Redis restart: EVALSHA answers NOSCRIPT
        HttpResponse<String> response = chat(port, k, "gpt-4o-mini", 5);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-ratelimit-remaining-requests")).contains("4");
        assertThat(chat(port, k, "gpt-4o-mini", 5).headers().firstValue("x-ratelimit-remaining-requests")).contains("3");
    }

    @Test
    void requestsPerDayResetsAtUtcMidnightAsInsufficientQuota() throws Exception {
        CLOCK.set(Instant.parse("2026-11-29T23:59:58Z"));
        String t = tenant();
        String k = key(t, "k-" + t, null, null);
        quota(t, "API_KEY", "k-" + t, "{\"requestsPerDay\":1}");
        awaitSnapshot();
        assertThat(chat(port, k, "gpt-4o-mini", 5).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = chat(port, k, "gpt-4o-mini", 5);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(error(refused).get("code").asString()).isEqualTo("insufficient_quota");
        assertThat(refused.headers().firstValue("retry-after")).contains("2");
        CLOCK.set(Instant.parse("2026-11-30T00:00:00.001Z"));
        assertThat(chat(port, k, "gpt-4o-mini", 5).statusCode()).isEqualTo(200);
    }

    @Test
    void tokensPerMonthResetsOnTheFirstOfTheMonthAndSettlementReleasesUnusedReservation() throws Exception {
        CLOCK.set(Instant.parse("2026-11-30T23:59:00Z"));
        String t = tenant();
        String k = key(t, "k-" + t, null, null);
        // each call reserves prompt estimate (⌈22/4⌉ + 4 + 3 = 13) + max_tokens 20 = 33 tokens
        quota(t, "TENANT", t, "{\"tokensPerMonth\":60}");
        awaitSnapshot();
        HttpResponse<String> ok = chat(port, k, "gpt-4o-mini", 20);
        assertThat(ok.statusCode()).isEqualTo(200);
        long used = json.readTree(ok.body()).get("usage").get("total_tokens").asLong();
        String counter = "llmq:{" + t + "}:TENANT:" + t + ":tpmo:202611";
        await().atMost(Duration.ofSeconds(20)).until(() ->
                Long.valueOf(used).equals(longValue(redis.getAtomicLong(counter).get())));
        // 60 - used < 33: the next reservation does not fit this month
        assertThat(60 - used).isLessThan(33);
        HttpResponse<String> refused = chat(port, k, "gpt-4o-mini", 20);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(error(refused).get("code").asString()).isEqualTo("insufficient_quota");
        CLOCK.set(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(chat(port, k, "gpt-4o-mini", 20).statusCode()).isEqualTo(200);
    }

    static Long longValue(long v) {
        return v;
    }

    /**
     * 200 concurrent calls, half on a second edge instance started for this test, against a
     * 330-token minute budget: at most one call's worth ({@code max_tokens}) over it. Every answer
     * is 200 or 429, or a fail-closed 503 {@code quota_store_unavailable}: that refuses the call, so
     * it cannot overspend, and it is what a tenant gets when a reservation fails. Two fresh-clone CI
     * runs (of many) saw one such 503 here; the likely cause, BlockHound failing a contended lock in
     * Redisson's connection pool, is now allowed ({@code EdgeBlockHoundIntegration}). Any cause is
     * printed when it happens (the edge's "Quota store unavailable (cause)" lines), and more than 5
     * such answers fail the test.
     */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void twoHundredConcurrentCallsOnTwoEdgeInstancesNeverOverspendTheTokenBudget(CapturedOutput output) throws Exception {
        CLOCK.set(Instant.now());
        String t = tenant();
        String k = key(t, "k-" + t, null, null);
        long budget = 330; // ~10 reservations of 33 tokens
        int maxTokens = 20;
        quota(t, "TENANT", t, "{\"tokensPerMinute\":" + budget + ",\"maxConcurrentRequests\":50}");
        awaitSnapshot();
        int secondPort = secondInstancePort();
        // the second instance knows the key once it neither refuses it (401) nor is still loading its snapshot
        // (503 "starting", which a loaded machine showed here in a fresh-clone CI run)
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            int status = chat(secondPort, k, "other-model", 1).statusCode();
            return status != 401 && status != 503;
        });
        // that probe consumed tokens: start the measured run in a fresh minute
        CLOCK.set(CLOCK.instant().plus(Duration.ofMinutes(1)));

        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int target = i % 2 == 0 ? port : secondPort;
            String body = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":" + maxTokens
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"Count the quota please\"}]}";
            calls.add(http.sendAsync(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).uri(URI.create("http://127.0.0.1:" + target + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + k).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        long consumed = 0;
        int ok = 0;
        int refused = 0;
        int unavailable = 0;
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            HttpResponse<String> r = call.get();
            if (r.statusCode() == 200) {
                ok++;
                consumed += json.readTree(r.body()).get("usage").get("total_tokens").asLong();
            } else if (r.statusCode() == 503) {
                assertThat(error(r).get("code").asString()).as(r.body()).isEqualTo("quota_store_unavailable");
                unavailable++;
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                refused++;
            }
        }
        System.out.printf("[quota] 200 concurrent calls on 2 edges: %d served, %d refused, %d quota store unavailable, "
                + "%d tokens consumed of %d (overspend %d)%n", ok, refused, unavailable, consumed, budget, Math.max(0, consumed - budget));
        if (unavailable > 0) {
            output.getAll().lines().filter(line -> line.contains("Quota store unavailable"))
                    .forEach(line -> System.out.println("[quota] cause: " + line));
        }
        assertThat(unavailable).as("fail-closed 503s (causes printed above)").isLessThanOrEqualTo(5);
        assertThat(ok + refused + unavailable).isEqualTo(200);
        assertThat(ok).isGreaterThanOrEqualTo(1);
        assertThat(refused).isGreaterThan(100);
        assertThat(consumed).isLessThanOrEqualTo(budget + maxTokens);
    }

    int secondInstancePort() {
        if (second == null) {
            second = new SpringApplicationBuilder(ProxyEdgeApplication.class)
                    .initializers(ctx -> ctx.getBeanFactory().registerSingleton("testClock", CLOCK))
                    .run("--server.port=0",
                            "--spring.kafka.bootstrap-servers=" + env.getProperty("spring.kafka.bootstrap-servers"),
                            "--llmproxy.edge.redis-url=" + env.getProperty("llmproxy.edge.redis-url"),
                            "--spring.datasource.url=" + dbUrl,
                            "--spring.datasource.username=" + LocalPostgres.user(),
                            "--spring.datasource.password=" + LocalPostgres.password(),
                            "--llmproxy.edge.secret-key=" + SECRET,
                            "--llmproxy.edge.snapshot-poll-interval=50ms",
                            "--llmproxy.edge.quota-store-timeout=20s");
            Runtime.getRuntime().addShutdownHook(new Thread(second::close));
        }
        return ((WebServerApplicationContext) second).getWebServer().getPort();
    }

    @Test
    void aStreamTheClientAbandonsStillSettlesAndReleasesItsConcurrencySlot() throws Exception {
        CLOCK.set(Instant.now());
        String t = tenant();
        String k = key(t, "k-" + t, null, null);
        quota(t, "TENANT", t, "{\"maxConcurrentRequests\":1,\"tokensPerDay\":100000}");
        awaitSnapshot();
        String slot = "llmq:{" + t + "}:TENANT:" + t + ":lease";

        String body = "{\"model\":\"slow-300\",\"stream\":true,\"max_tokens\":30,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"a long story please\"}]}";
        HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + k).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        byte[] first = new byte[64];
        assertThat(stream.body().read(first)).isPositive();
        assertThat(redis.getScoredSortedSet(slot, org.redisson.client.codec.StringCodec.INSTANCE).size()).isEqualTo(1);
        HttpResponse<String> busy = chat(port, k, "gpt-4o-mini", 5);
        assertThat(busy.statusCode()).isEqualTo(429);
        assertThat(error(busy).get("message").asString()).startsWith("Too many concurrent requests");

        stream.body().close(); // the client goes away mid-stream
        await().atMost(Duration.ofSeconds(20)).until(() -> redis.getScoredSortedSet(slot, org.redisson.client.codec.StringCodec.INSTANCE).size() == 0);
        String tokens = "llmq:{" + t + "}:TENANT:" + t + ":tpd:" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd")
                .withZone(java.time.ZoneOffset.UTC).format(CLOCK.instant());
        // settled to what was seen (well under the 30 + prompt reserved), not left at the reservation
        await().atMost(Duration.ofSeconds(20)).until(() -> redis.getAtomicLong(tokens).get() < 30);
        assertThat(chat(port, k, "gpt-4o-mini", 5).statusCode()).isEqualTo(200);
    }

    @Test
    void suspendedTenantGets403AndReactivationRestoresAccess() throws Exception {
        CLOCK.set(Instant.now());
        String t = tenant();
        String k = key(t, "k-" + t, null, null);
        awaitSnapshot();
        assertThat(chat(port, k, "gpt-4o-mini", 5).statusCode()).isEqualTo(200);
        db.update("UPDATE rm_tenant SET status = 'SUSPENDED', change_index = ? WHERE tenant_id = ?", next(), t);
        await().atMost(Duration.ofSeconds(2)).until(() -> chat(port, k, "gpt-4o-mini", 5).statusCode() == 403);
        assertThat(error(chat(port, k, "gpt-4o-mini", 5)).get("code").asString()).isEqualTo("tenant_suspended");
        db.update("UPDATE rm_tenant SET status = 'ACTIVE', change_index = ? WHERE tenant_id = ?", next(), t);
        await().atMost(Duration.ofSeconds(2)).until(() -> chat(port, k, "gpt-4o-mini", 5).statusCode() == 200);
    }

    @Test
    void expiredKeysAndARotatedKeysOldSecretAfterItsGraceAreRefused() throws Exception {
        Instant now = Instant.parse("2026-11-29T12:00:00Z");
        CLOCK.set(now);
        String t = tenant();
        String expiring = key(t, "exp-" + t, null, now.plusSeconds(60));
        String rotatedOld = ApiKeys.generate();
        String rotatedNew = key(t, "rot-" + t, null, null);
        db.update("UPDATE rm_api_key SET previous_key_hash = ?, previous_valid_until = ?, change_index = ? WHERE api_key_id = ?",
                ApiKeys.hash(rotatedOld), Timestamp.from(now.plusSeconds(300)), next(), "rot-" + t);
        awaitSnapshot();
        assertThat(chat(port, expiring, "gpt-4o-mini", 5).statusCode()).isEqualTo(200);
        assertThat(chat(port, rotatedOld, "gpt-4o-mini", 5).statusCode()).isEqualTo(200);
        assertThat(chat(port, rotatedNew, "gpt-4o-mini", 5).statusCode()).isEqualTo(200);

        CLOCK.set(now.plusSeconds(60));
        HttpResponse<String> expired = chat(port, expiring, "gpt-4o-mini", 5);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(error(expired).get("message").asString()).isEqualTo("This API key has expired.");
        assertThat(chat(port, rotatedOld, "gpt-4o-mini", 5).statusCode()).isEqualTo(200);

        CLOCK.set(now.plusSeconds(300));
        assertThat(chat(port, rotatedOld, "gpt-4o-mini", 5).statusCode()).isEqualTo(401);
        assertThat(chat(port, rotatedNew, "gpt-4o-mini", 5).statusCode()).isEqualTo(200);
    }

    @Test
    void allowListAndTenantRoutesDecideWhichModelsAKeyReaches() throws Exception {
        CLOCK.set(Instant.now());
        String a = tenant();
        String b = tenant();
        String narrow = key(a, "narrow-" + a, "[\"gpt-4o-mini\"]", null);
        String keyA = key(a, "a-" + a, null, null);
        String keyB = key(b, "b-" + b, null, null);
        route(a, "private-model");
        awaitSnapshot();

        HttpResponse<String> notAllowed = chat(port, narrow, "other-model", 5);
        assertThat(notAllowed.statusCode()).isEqualTo(403);
        assertThat(error(notAllowed).get("code").asString()).isEqualTo("model_not_allowed");
        assertThat(chat(port, narrow, "private-model", 5).statusCode()).isEqualTo(403);
        assertThat(chat(port, narrow, "gpt-4o-mini", 5).statusCode()).isEqualTo(200);

        assertThat(chat(port, keyA, "private-model", 5).statusCode()).isEqualTo(200);
        HttpResponse<String> otherTenant = chat(port, keyB, "private-model", 5);
        assertThat(otherTenant.statusCode()).isEqualTo(404);
        assertThat(error(otherTenant).get("code").asString()).isEqualTo("model_not_found");

        assertThat(models(narrow)).containsExactly("gpt-4o-mini");
        assertThat(models(keyA)).containsExactly("gpt-4o-mini", "other-model", "private-model", "slow-300");
        assertThat(models(keyB)).containsExactly("gpt-4o-mini", "other-model", "slow-300");
    }

    List<String> models(String key) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).uri(URI.create("http://127.0.0.1:" + port + "/v1/models"))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
        return json.readTree(r.body()).get("data").valueStream().map(m -> m.get("id").asString()).toList();
    }
}
