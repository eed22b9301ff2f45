package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.auth.AuthRefusals;
import io.llmproxy.edge.snapshot.SnapshotStore;
import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
import io.llmproxy.edge.support.UsageConsumer;
import io.llmproxy.identity.RealmProvisioner;
import io.llmproxy.identity.RealmSpec;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.KeycloakTestServer;
import io.llmproxy.testsupport.LocalPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keycloak access tokens of tenant users at the edge (issue #10), with a real Keycloak: a user's
 * token works on the OpenAI, Anthropic and Ollama formats and its usage event names the user; a
 * table of bad tokens is refused with 401 in each format and counted by reason; a user removed from
 * its tenant is refused within the snapshot's poll interval; API keys work as before.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgeJwtTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String REALM = "llmproxy-edge-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    static final String PASSWORD = "Pw-" + UUID.randomUUID();
    static final String TENANT = "tj-" + UUID.randomUUID();
    static final String KEY = ApiKeys.generate();
    static final AtomicLong CHANGE = new AtomicLong(1);
    static KeycloakTestServer keycloak;
    static JdbcTemplate db;
    static UsageConsumer usage;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        keycloak = KeycloakTestServer.get();
        keycloak.realm(REALM, admin -> new RealmProvisioner(admin).provision(RealmSpec.llmproxy(3000, "s3cret-" + UUID.randomUUID(),
                new RealmSpec.AdminUser("platform-admin", "platform-admin@llmproxy.local", "Adm1n-" + UUID.randomUUID()))
                .withRealm(REALM)));
        for (String user : List.of("dev@example.org", "gone@example.org", "stranger@example.org")) {
            keycloak.createUser(REALM, user, PASSWORD);
        }
        String url = ReadModelDatabase.create("llmproxy_edge_jwt_it");
        db = ReadModelDatabase.jdbc(url);
        Timestamp t0 = Timestamp.from(Instant.now());
        db.update("INSERT INTO rm_provider VALUES ('p1', 'sim', 'openai', ?, ?, ?, ?)", "http://127.0.0.1:" + SimulatorServer.port()
                + "/v1", new SecretCipher(SECRET).encrypt("sk-sim"), t0, CHANGE.getAndIncrement());
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'j', ?, ?)", TENANT, t0,
                CHANGE.getAndIncrement());
        db.update("INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES ('m', 'm', "
                + "'[{\"providerId\":\"p1\",\"model\":\"sim-jwt\"}]'::jsonb, ?, ?)", t0, CHANGE.getAndIncrement());
        db.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES ('k-j', ?, 'k', ?, ?, 'ACTIVE', ?, ?)", TENANT, ApiKeys.hash(KEY), ApiKeys.displayPrefix(KEY), t0,
                CHANGE.getAndIncrement());
        for (String[] u : List.of(new String[] {"u-dev", "Dev@Example.org"}, new String[] {"u-gone", "gone@example.org"})) {
            db.update("INSERT INTO rm_user (user_id, tenant_id, email, role, created_at, change_index) VALUES (?, ?, ?, 'Developer', ?, ?)",
                    u[0], TENANT, u[1], t0, CHANGE.getAndIncrement());
        }
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> SECRET);
        registry.add("llmproxy.edge.jwt.issuer-uri", () -> keycloak.issuer(REALM));
        registry.add("llmproxy.edge.jwt.jwk-set-uri", () -> keycloak.baseUrl() + "/realms/" + REALM + "/protocol/openid-connect/certs");
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
    MeterRegistry meters;

    @BeforeEach
    void ready() {
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().changeIndex() >= CHANGE.get() - 1);
        synchronized (EdgeJwtTest.class) {
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

    static String token(String user) {
        KeycloakTestServer.TokenResponse t = keycloak.passwordGrant(REALM, KeycloakTestServer.TEST_CLIENT, user, PASSWORD);
        assertThat(t.status()).as(t.toString()).isEqualTo(200);
        return t.accessToken();
    }

    enum Format {
        OPENAI("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        ANTHROPIC("/v1/messages", "{\"model\":\"m\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        OLLAMA("/api/chat", "{\"model\":\"m\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        final String path;
        final String body;

        Format(String path, String body) {
            this.path = path;
            this.body = body;
        }
    }

    HttpResponse<String> call(Format format, String bearer) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + format.path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(format.body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    double refusals(String reason) {
        var c = meters.find(AuthRefusals.METER).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aTenantUsersTokenWorksOnEveryFormatAndItsUsageEventNamesTheUser() throws Exception {
        String bearer = token("dev@example.org");
        String sub = (String) KeycloakTestServer.claims(bearer).get("sub");
        for (Format f : Format.values()) {
            HttpResponse<String> r = call(f, bearer);
            assertThat(r.statusCode()).as(f + " " + r.body()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> usage.events().stream().filter(e -> ("user:" + sub).equals(e.principal())).count() >= 3);
        List<UsageRecorded> events = usage.events().stream().filter(e -> ("user:" + sub).equals(e.principal())).toList();
        assertThat(events).allSatisfy(e -> {
            assertThat(e.tenantId()).isEqualTo(TENANT);
            assertThat(e.userId()).isEqualTo("u-dev");
            assertThat(e.apiKeyId()).isNull();
            assertThat(e.outcome()).isEqualTo(UsageRecorded.Outcome.SUCCESS);
        });
        assertThat(events).extracting(UsageRecorded::endpoint).contains("chat.completions", "messages", "ollama.chat");
        // an API key works as before, and is named as such
        assertThat(call(Format.OPENAI, KEY).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> usage.events().stream().anyMatch(e -> "api-key:k-j".equals(e.principal())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void aBadTokenIs401InEveryFormatAndCountedByReason(String name, String reason, String bearer) throws Exception {
        double before = refusals(reason);
        for (Format f : Format.values()) {
            HttpResponse<String> r = call(f, bearer);
            assertThat(r.statusCode()).as(f + " " + r.body()).isEqualTo(401);
            assertThat(r.body()).doesNotContain(bearer.substring(Math.max(0, bearer.length() - 16)));
        }
        assertThat(refusals(reason)).isEqualTo(before + 3);
    }

    static Stream<Arguments> badTokens() throws Exception {
        String good = token("dev@example.org");
        String[] parts = good.split("\\.");
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String none = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".";
        String tampered = parts[0] + "." + b64.encodeToString(payload.replace("dev@example.org", "dex@example.org")
                .getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        String hsHeader = b64.encodeToString(header.replaceAll("\"alg\"\\s*:\\s*\"RS256\"", "\"alg\":\"HS256\"")
                .getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("a-secret-anyone-could-guess-0123".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String hs256 = hsHeader + "." + parts[1] + "." + b64.encodeToString(mac.doFinal((hsHeader + "." + parts[1])
                .getBytes(StandardCharsets.UTF_8)));
        KeycloakTestServer.TokenResponse master = keycloak.passwordGrant("master", "admin-cli", "admin", keycloak.adminPassword());
        // the realm's own admin-cli client: the realm's issuer and keys, but not the APIs' audience
        KeycloakTestServer.TokenResponse noAudience = keycloak.passwordGrant(REALM, "admin-cli", "dev@example.org", PASSWORD);
        assertThat(noAudience.status()).as(noAudience.toString()).isEqualTo(200);
        return Stream.of(
                Arguments.of("alg none", "malformed", none),
                Arguments.of("tampered payload", "bad_signature", tampered),
                Arguments.of("HS256 with a guessed secret", "bad_signature", hs256),
                Arguments.of("signature of another token", "bad_signature", parts[0] + "." + parts[1] + "."
                        + token("gone@example.org").split("\\.")[2]),
                Arguments.of("another realm's token", "unknown_key", master.accessToken()),
                Arguments.of("another audience", "wrong_audience", noAudience.accessToken()),
                Arguments.of("a user of no tenant", "unknown_user", token("stranger@example.org")),
                Arguments.of("a 7 KiB token", "too_large", "eyJ" + "A".repeat(7 * 1024) + ".e30.x"));
    }

    @Test
    void aRemovedUsersTokensStopWorkingWithinThePollInterval() throws Exception {
        String bearer = token("gone@example.org");
        assertThat(call(Format.OPENAI, bearer).statusCode()).isEqualTo(200);
        long change = CHANGE.getAndIncrement();
        long removedAt = System.nanoTime();
        db.update("UPDATE rm_user SET removed_at = now(), change_index = ? WHERE user_id = 'u-gone'", change);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> call(Format.OPENAI, bearer).statusCode() == 401);
        long boundMs = (System.nanoTime() - removedAt) / 1_000_000;
        System.out.println("removed user refused after " + boundMs + " ms (poll interval 100 ms)");
        assertThat(boundMs).isLessThan(5_000);
    }
}
