package io.llmproxy.query.replay;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.LocalPostgres;
import io.llmproxy.testsupport.RawHttp;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
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
 * One query-side application shared by the replay endpoint's attack tests (one Spring context): the
 * bootstrap token, Keycloak-shaped access tokens signed by a key of this test (its JWKS served on a
 * local port, so tokens can be expired, forged or unsigned at will), role assignments written into
 * {@code rm_role_assignment} as the projection writes them, and the Keycloak provisioning processor
 * on (pointed at a closed port: no event here provisions anybody) so that a processor that is not a
 * projection exists.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.query.admin-token=" + ReplayWebTestBase.ADMIN_TOKEN,
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.identity.provisioning.enabled=true",
        "llmproxy.identity.keycloak.server-url=http://127.0.0.1:9",
        "llmproxy.identity.keycloak.realm=unused",
        "llmproxy.query.replay.poll-interval=100ms"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
abstract class ReplayWebTestBase {

    static final String ADMIN_TOKEN = "test-admin-token";
    static final String ISSUER = "http://issuer.test/realms/llmproxy";
    static final String TENANT = "7c1d5b0e-0000-4000-8000-0000000000aa";
    static final String OTHER_TENANT = "7c1d5b0e-0000-4000-8000-0000000000bb";
    static final RSAKey KEY = rsa("k1");
    static HttpServer jwks;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        LocalPostgres.springDataSource("llmproxy_replay_attack", registry::add);
        if (jwks == null) {
            byte[] keys = new JWKSet(KEY.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            jwks.createContext("/certs", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, keys.length);
                exchange.getResponseBody().write(keys);
                exchange.close();
            });
            jwks.start();
        }
        registry.add("llmproxy.security.jwt.issuer-uri", () -> ISSUER);
        registry.add("llmproxy.security.jwt.jwk-set-uri", () -> "http://127.0.0.1:" + jwks.getAddress().getPort() + "/certs");
        Path password = Files.createTempFile("kc-admin", ".txt");
        Files.writeString(password, "unused");
        password.toFile().deleteOnExit();
        registry.add("llmproxy.identity.keycloak.admin-password-file", password::toString);
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    JsonMapper json;

    static RSAKey rsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return an access token of {@code principal} as Keycloak issues it, signed by {@code signer}, expiring at {@code exp} */
    static String jwt(String principal, Instant exp, JWSSigner signer, JWSAlgorithm alg, String issuer, String audience) {
        try {
            JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).audience(List.of(audience))
                    .subject("sub-" + principal).claim("preferred_username", principal)
                    .issueTime(Date.from(exp.minusSeconds(300))).expirationTime(Date.from(exp)).build();
            SignedJWT token = new SignedJWT(new JWSHeader.Builder(alg).keyID("k1").type(JOSEObjectType.JWT).build(), claims);
            token.sign(signer);
            return token.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return a valid token of {@code principal} (right key, issuer, audience; 5 minutes left) */
    static String jwt(String principal) {
        try {
            return jwt(principal, Instant.now().plusSeconds(300), new RSASSASigner(KEY), JWSAlgorithm.RS256, ISSUER, "llmproxy-api");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes an assignment as {@code RoleAssignmentProjection} does ({@code tenant} null: platform scope). */
    void assign(String principal, String role, String tenant, String userId, boolean removed) {
        String id = "t-" + principal + "/" + role + "/" + tenant;
        jdbc.update("""
                INSERT INTO rm_role_assignment (assignment_id, principal, role, tenant_id, source, user_id, valid_from,
                    valid_to, from_event_id, from_index) VALUES (?, ?, ?, ?, ?, ?, now() - interval '1 hour', ?, ?, 1)
                ON CONFLICT DO NOTHING""", id, principal, role, tenant, userId == null ? "command" : "user", userId,
                removed ? java.sql.Timestamp.from(Instant.now()) : null, id);
    }

    RawHttp.Answer send(String method, String path, String authorization) throws Exception {
        return authorization == null ? RawHttp.send(port, method, path, null)
                : RawHttp.send(port, method, path, null, "Authorization: " + authorization);
    }

    RawHttp.Answer asAdmin(String method, String path) throws Exception {
        return send(method, path, "Bearer " + ADMIN_TOKEN);
    }

    JsonNode body(RawHttp.Answer answer) {
        return json.readTree(answer.body());
    }

    long count(String tableAndCondition) {
        return jdbc.queryForObject("SELECT count(*) FROM " + tableAndCondition, Long.class);
    }
}
