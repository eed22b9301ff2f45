package io.llmproxy.command.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.identity.RealmProvisioner;
import io.llmproxy.identity.RealmSpec;
import io.llmproxy.testsupport.KeycloakTestServer;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keycloak access tokens on the command API (issue #10, first step), against the real test
 * Keycloak: a user holding a platform-scope PlatformAdmin role assignment acts and is recorded as
 * itself; a user with only a tenant role, or none, gets 403; forged, foreign and broken tokens get
 * 401; the bootstrap token keeps working. All answers are problem JSON.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.admin.token=test-admin-token"})
class AdminJwtTest {

    static final String REALM = "llmproxy-jwt-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    static final String PASSWORD = "Pw-" + UUID.randomUUID();
    static KeycloakTestServer keycloak;
    static JdbcTemplate db;

    static String url;

    /** The realm, its users, the database and the role assignments; once per class (JUnit calls @BeforeAll first). */
    @BeforeAll
    static synchronized void setUp() {
        if (keycloak != null) {
            return;
        }
        keycloak = KeycloakTestServer.get();
        keycloak.realm(REALM, admin -> new RealmProvisioner(admin).provision(RealmSpec.llmproxy(3000, "s3cret-" + UUID.randomUUID(),
                new RealmSpec.AdminUser("platform-admin", "platform-admin@llmproxy.local", "Adm1n-" + UUID.randomUUID()))
                .withRealm(REALM)));
        url = LocalPostgres.freshDatabase("llmproxy_command_jwt_it");
        db = new JdbcTemplate(new org.springframework.jdbc.datasource.DriverManagerDataSource(url, LocalPostgres.user(),
                LocalPostgres.password()));
        // the columns of the read model rm_role_assignment (projections, V7) that the admin apps read
        db.execute("CREATE TABLE rm_role_assignment (principal text NOT NULL, role text NOT NULL, tenant_id text, "
                + "valid_to timestamptz, user_id text)");
        keycloak.createUser(REALM, "root@example.org", PASSWORD);
        keycloak.createUser(REALM, "dev@example.org", PASSWORD);
        keycloak.createUser(REALM, "nobody@example.org", PASSWORD);
        keycloak.createUser(REALM, "gone@example.org", PASSWORD);
        db.update("INSERT INTO rm_role_assignment VALUES ('root@example.org', 'PlatformAdmin', NULL, NULL)");
        db.update("INSERT INTO rm_role_assignment VALUES ('dev@example.org', 'Developer', 't-1', NULL)");
        db.update("INSERT INTO rm_role_assignment VALUES ('gone@example.org', 'PlatformAdmin', NULL, now())");
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        setUp();
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.admin.secret-key", () -> Base64.getEncoder().encodeToString(new byte[32]));
        registry.add("llmproxy.security.jwt.issuer-uri", () -> keycloak.issuer(REALM));
        registry.add("llmproxy.security.jwt.jwk-set-uri", () -> keycloak.baseUrl() + "/realms/" + REALM
                + "/protocol/openid-connect/certs");
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;
    @Autowired
    JdbcTemplate jdbc;

    final HttpClient http = HttpClient.newHttpClient();

    static String token(String user) {
        KeycloakTestServer.TokenResponse t = keycloak.passwordGrant(REALM, KeycloakTestServer.TEST_CLIENT, user, PASSWORD);
        assertThat(t.status()).as(t.toString()).isEqualTo(200);
        return t.accessToken();
    }

    HttpResponse<String> createTenant(String bearer, String xActor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/v1/tenants"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"jwt\"}"));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (xActor != null) {
            b.header("X-Actor", xActor);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String problemCode(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/problem+json");
        return json.readTree(r.body()).get("code").asString();
    }

    @Test
    void aPlatformAdminActsWithItsTokenAndIsRecordedAsItselfWhateverXActorSays() throws Exception {
        String bearer = token("root@example.org");
        HttpResponse<String> created = createTenant(bearer, "mallory");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String tenantId = json.readTree(created.body()).get("tenantId").asString();
        String metaData = jdbc.queryForObject("SELECT convert_from(metadata, 'UTF8') FROM domainevententry "
                + "WHERE aggregateidentifier = ?", String.class, tenantId);
        var meta = json.readTree(metaData);
        assertThat(meta.get("actor").asString()).isEqualTo("user:root@example.org");
        assertThat(meta.get("actorSubject").asString()).isEqualTo(KeycloakTestServer.claims(bearer).get("sub"));
        assertThat(meta.get("actorClientId").asString()).isEqualTo(KeycloakTestServer.TEST_CLIENT);
        assertThat(metaData).doesNotContain("mallory");
    }

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    double refusals(String status, String reason) {
        var counter = meters.find(io.llmproxy.adminweb.security.AuthRefusals.METER).tags("status", status, "reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void refusalsAreCountedByBoundedReasonNeverByToken() throws Exception {
        double missing = refusals("401", "missing");
        double malformed = refusals("401", "malformed");
        double signature = refusals("401", "bad_signature");
        double forbidden = refusals("403", "forbidden");
        String good = token("root@example.org");
        String[] parts = good.split("\\.");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String tampered = parts[0] + "." + b64.encodeToString(new String(Base64.getUrlDecoder().decode(parts[1]),
                StandardCharsets.UTF_8).replace("root@example.org", "roox@example.org").getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
        assertThat(createTenant(null, null).statusCode()).isEqualTo(401);
        assertThat(createTenant("eyJhbGciOi.garbage.x", null).statusCode()).isEqualTo(401);
        assertThat(createTenant(tampered, null).statusCode()).isEqualTo(401);
        assertThat(createTenant(token("dev@example.org"), null).statusCode()).isEqualTo(403);
        assertThat(refusals("401", "missing")).isEqualTo(missing + 1);
        assertThat(refusals("401", "malformed")).as(meters.find(io.llmproxy.adminweb.security.AuthRefusals.METER)
                .counters().stream().map(c -> c.getId().getTags() + "=" + c.count()).toList().toString())
                .isEqualTo(malformed + 1);
        assertThat(refusals("401", "bad_signature")).isEqualTo(signature + 1);
        assertThat(refusals("403", "forbidden")).isEqualTo(forbidden + 1);
        assertThat(meters.find(io.llmproxy.adminweb.security.AuthRefusals.METER).counters())
                .allSatisfy(c -> assertThat(c.getId().getTag("reason")).isIn("missing", "expired", "wrong_issuer",
                        "wrong_audience", "bad_signature", "malformed", "bad_token", "invalid", "forbidden"));
    }

    @Test
    void theBootstrapTokenStillWorks() throws Exception {
        assertThat(createTenant("test-admin-token", null).statusCode()).isEqualTo(201);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withoutPlatformAdmin")
    void aValidTokenWithoutPlatformAdminIs403(String user) throws Exception {
        HttpResponse<String> r = createTenant(token(user), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(problemCode(r)).isEqualTo("forbidden");
    }

    static Stream<String> withoutPlatformAdmin() {
        // a tenant role only; no assignment; an assignment that has ended
        return Stream.of("dev@example.org", "nobody@example.org", "gone@example.org");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void aBadTokenIs401AndNeverEchoed(String name, String bearer) throws Exception {
        HttpResponse<String> r = createTenant(bearer, null);
        assertThat(r.statusCode()).as(r.body()).isIn(401, 400);
        if (r.statusCode() == 401) {
            assertThat(problemCode(r)).isEqualTo("unauthorized");
        }
        assertThat(r.body()).doesNotContain(bearer.length() > 20 ? bearer.substring(bearer.length() - 20) : bearer);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM domainevententry WHERE payloadtype LIKE '%TenantCreated' "
                + "AND convert_from(metadata, 'UTF8') LIKE '%mallory%'", Long.class)).isZero();
    }

    static Stream<Arguments> badTokens() throws Exception {
        String good = token("root@example.org");
        String[] parts = good.split("\\.");
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String none = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + parts[1] + ".";
        String tampered = parts[0] + "." + b64.encodeToString(payload.replace("root@example.org", "roox@example.org")
                .getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        String hsHeader = b64.encodeToString(header.replaceAll("\"alg\"\\s*:\\s*\"RS256\"", "\"alg\":\"HS256\"")
                .getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("a-secret-anyone-could-guess-0123".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String hs256 = hsHeader + "." + parts[1] + "." + b64.encodeToString(mac.doFinal((hsHeader + "." + parts[1])
                .getBytes(StandardCharsets.UTF_8)));
        // a token of another realm (master): another issuer and other keys
        KeycloakTestServer.TokenResponse master = keycloak.passwordGrant("master", "admin-cli", "admin",
                keycloak.adminPassword());
        assertThat(master.status()).as(master.toString()).isEqualTo(200);
        return Stream.of(
                Arguments.of("alg none", none),
                Arguments.of("tampered payload", tampered),
                Arguments.of("HS256 with a guessed secret", hs256),
                Arguments.of("another realm's token", master.accessToken()),
                Arguments.of("signature of another token", parts[0] + "." + parts[1] + "." + token("dev@example.org").split("\\.")[2]),
                Arguments.of("not a JWT", "eyJhbGciOi.garbage.x"),
                Arguments.of("a 9 KiB token", good + "A".repeat(9 * 1024)));
    }
}
