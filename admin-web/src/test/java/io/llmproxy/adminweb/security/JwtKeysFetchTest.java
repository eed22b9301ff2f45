package io.llmproxy.adminweb.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * How the admin apps fetch the realm's keys ({@link JwtSecurity#keys}), against a real HTTP server
 * standing in for Keycloak's JWKS endpoint that counts its fetches: tokens naming unknown kids do
 * not make the app fetch once per request, and a JWKS endpoint that does not answer costs a request
 * about the fetch timeout, not the time Keycloak takes.
 */
class JwtKeysFetchTest {

    static final String ISSUER = "http://localhost:8080/realms/llmproxy";
    static final JwtProperties PROPERTIES = new JwtProperties(ISSUER, null, "llmproxy-api", Duration.ofSeconds(30));

    HttpServer server;
    final AtomicInteger fetches = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Serves {@code keys} at /certs after {@code delayMs}; returns the JWKS URI. */
    String serve(JWKSet keys, long delayMs) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/certs", exchange -> {
            fetches.incrementAndGet();
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = keys.toString(true).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/certs";
    }

    static String token(RSAKey key, String kid) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(),
                new JWTClaimsSet.Builder().issuer(ISSUER).audience("llmproxy-api").subject(UUID.randomUUID().toString())
                        .claim("preferred_username", "dev@example.org").expirationTime(Date.from(Instant.now().plusSeconds(300)))
                        .issueTime(new Date()).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Test
    void unknownKidsFetchTheKeysAtMostOncePer10Seconds() throws Exception {
        RSAKey realm = new RSAKeyGenerator(2048).keyID("realm-key").generate();
        RSAKey forger = new RSAKeyGenerator(2048).generate();
        NimbusJwtDecoder decoder = JwtSecurity.decoder(PROPERTIES, JwtSecurity.keys(serve(new JWKSet(realm.toPublicJWK()), 0)));

        Jwt valid = decoder.decode(token(realm, "realm-key"));
        assertThat(valid.getClaimAsString("preferred_username")).isEqualTo("dev@example.org");
        assertThat(fetches.get()).isEqualTo(1);

        for (int i = 0; i < 50; i++) {
            String forged = token(forger, "kid-" + i);
            assertThatThrownBy(() -> decoder.decode(forged)).isInstanceOf(JwtException.class);
        }
        // one refetch for the first unknown kid at most, then none within the interval
        assertThat(fetches.get()).isBetween(1, 2);
        // the realm's own tokens are still accepted from the cache
        assertThat(decoder.decode(token(realm, "realm-key")).getSubject()).isNotBlank();
        assertThat(fetches.get()).isBetween(1, 2);
    }

    @Test
    void aJwksEndpointThatDoesNotAnswerCostsARequestTheFetchTimeoutOnly() throws Exception {
        RSAKey realm = new RSAKeyGenerator(2048).keyID("realm-key").generate();
        NimbusJwtDecoder decoder = JwtSecurity.decoder(PROPERTIES,
                JwtSecurity.keys(serve(new JWKSet(realm.toPublicJWK()), 30_000)));
        String token = token(realm, "realm-key");

        // refused (the keys cannot be had) after about KEYS_TIMEOUT_MS, well before Keycloak's 30 s
        assertTimeoutPreemptively(Duration.ofMillis(JwtSecurity.KEYS_TIMEOUT_MS * 4L),
                () -> assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtException.class));
        assertThat(fetches.get()).isEqualTo(1);
    }
}
