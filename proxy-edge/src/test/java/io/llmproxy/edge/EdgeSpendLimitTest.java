package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.support.MutableClock;
import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.billing.Pricing;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.LocalPostgres;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The monthly USD spend limit ({@code monthlySpendLimitUsd}, issue #5) at the edge, on the real
 * read model (prices in the snapshot), the real Redis and the simulator, under a controllable
 * clock: the spend counter holds exactly the cost of the calls ({@link Pricing}), a call that
 * could go over is refused with 429 {@code insufficient_quota}, and a new UTC month starts at 0.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=50ms",
        "llmproxy.edge.quota-store-timeout=5s"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgeSpendLimitTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
    static final AtomicLong CHANGE = new AtomicLong(10);
    /** USD per million tokens: 1 prompt token = 1,000 micros, 1 completion token = 2,000 micros. */
    static final Pricing.Price PRICE = new Pricing.Price(new BigDecimal("1000"), new BigDecimal("2000"), null);
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
        String dbUrl = ReadModelDatabase.create("llmproxy_edge_spend_it");
        db = ReadModelDatabase.jdbc(dbUrl);
        Timestamp t0 = Timestamp.from(Instant.parse("2026-11-01T00:00:00Z"));
        db.update("INSERT INTO rm_provider VALUES ('p1', 'sim', 'openai', ?, ?, ?, 1)",
                "http://127.0.0.1:" + simulator + "/v1", new SecretCipher(SECRET).encrypt("sk-sim"), t0);
        for (String model : new String[]{"priced", "unpriced"}) {
            db.update("INSERT INTO rm_route (route_id, tenant_id, model, targets, updated_at, change_index) VALUES (?, null, ?, ?::jsonb, ?, ?)",
                    model, model, "[{\"providerId\":\"p1\",\"model\":\"sim-" + model + "\"}]", t0, next());
        }
        // a dearer price until November, the test's price from November on
        db.update("""
                INSERT INTO rm_price (provider_id, model, effective_from, input_per_million_usd, output_per_million_usd,
                    cached_input_per_million_usd, set_at, change_index) VALUES ('p1', 'sim-priced', ?, 9999, 9999, 9999, ?, ?)""",
                Timestamp.from(Instant.parse("2026-10-01T00:00:00Z")), t0, next());
        db.update("""
                INSERT INTO rm_price (provider_id, model, effective_from, input_per_million_usd, output_per_million_usd,
                    cached_input_per_million_usd, set_at, change_index) VALUES ('p1', 'sim-priced', ?, 1000, 2000, 1000, ?, ?)""",
                t0, t0, next());
        registry.add("spring.datasource.url", () -> dbUrl);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> SECRET);
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;
    @Autowired
    RedissonClient redis;
    @Autowired
    io.llmproxy.edge.snapshot.SnapshotStore snapshots;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static long next() {
        return CHANGE.incrementAndGet();
    }

    HttpResponse<String> chat(String key, String model) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"Spend it\"}]}";
        return http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30))
                .uri(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    long cost(HttpResponse<String> response) {
        JsonNode usage = json.readTree(response.body()).get("usage");
        return Pricing.costMicros(PRICE, usage.get("prompt_tokens").asLong(), 0, usage.get("completion_tokens").asLong());
    }

    @Test
    void spendCounterHoldsTheCostOfTheCallsAndRefusesWhatCouldGoOverUntilTheNextMonth() throws Exception {
        String t = "t-" + UUID.randomUUID();
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'x', now(), ?)", t, next());
        String key = ApiKeys.generate();
        db.update("""
                INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index)
                VALUES (?, ?, 'k', ?, ?, 'ACTIVE', now(), ?)""", "k-" + t, t, ApiKeys.hash(key), ApiKeys.displayPrefix(key), next());
        db.update("""
                INSERT INTO rm_quota_policy (scope, subject_id, tenant_id, limits, updated_at, change_index)
                VALUES ('TENANT', ?, ?, '{"monthlySpendLimitUsd":"0.05"}'::jsonb, now(), ?)""", t, t, next());
        long target = CHANGE.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> snapshots.current().changeIndex() >= target);
        String counter = "llmq:{" + t + "}:TENANT:" + t + ":usdmo:202611";

        HttpResponse<String> first = chat(key, "priced");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        long spent = cost(first);
        assertThat(spent).isGreaterThan(2000);
        await().atMost(Duration.ofSeconds(20)).until(() -> redis.getAtomicLong(counter).get() == spent);
        // spend limit counts no tokens: no token rate-limit headers
        assertThat(first.headers().firstValue("x-ratelimit-limit-tokens")).isEmpty();

        long total = spent;
        HttpResponse<String> response;
        int allowed = 1;
        while ((response = chat(key, "priced")).statusCode() == 200) {
            total += cost(response);
            allowed++;
            long expected = total;
            await().atMost(Duration.ofSeconds(20)).until(() -> redis.getAtomicLong(counter).get() == expected);
            assertThat(allowed).isLessThan(50);
        }
        assertThat(response.statusCode()).isEqualTo(429);
        JsonNode error = json.readTree(response.body()).get("error");
        assertThat(error.get("code").asString()).isEqualTo("insufficient_quota");
        assertThat(error.get("message").asString()).startsWith("Monthly spend limit (monthlySpendLimitUsd) reached on this tenant: limit 0.05 USD, used "
                + BigDecimal.valueOf(total, 6).toPlainString() + " USD");
        assertThat(response.headers().firstValue("retry-after")).contains(String.valueOf(
                Duration.between(CLOCK.instant(), Instant.parse("2026-12-01T00:00:00Z")).toSeconds()));
        // never over the limit, and refused only when the reservation could have gone over
        assertThat(total).isLessThanOrEqualTo(50_000);
        assertThat(redis.getAtomicLong(counter).get()).isEqualTo(total);

        // a model without a price is not counted against the spend limit
        assertThat(chat(key, "unpriced").statusCode()).isEqualTo(200);
        assertThat(redis.getAtomicLong(counter).get()).isEqualTo(total);

        CLOCK.set(Instant.parse("2026-12-01T00:00:00Z"));
        HttpResponse<String> december = chat(key, "priced");
        assertThat(december.statusCode()).isEqualTo(200);
        long decemberCost = cost(december);
        await().atMost(Duration.ofSeconds(20)).until(() -> redis.getAtomicLong("llmq:{" + t + "}:TENANT:" + t + ":usdmo:202612").get()
                == decemberCost);
    }
}
