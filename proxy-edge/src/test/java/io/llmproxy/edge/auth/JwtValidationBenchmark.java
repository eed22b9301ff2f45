package io.llmproxy.edge.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.llmproxy.kernel.apikey.ApiKeys;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CPU per credential check on a warm edge, in µs (issue #10: a Keycloak token ≤ 20 µs; an API key
 * costs what it did): {@code jwt} verifies a 2048-bit RS256 token shaped like Keycloak's (signature,
 * expiry, issuer, audience) on first use, then by its SHA-256 when seen again; {@code apiKey} is the API key path's hash. Not a test; run by hand
 * (classpath as in {@code TranslationBenchmark}):
 * <pre>
 * java -cp … org.openjdk.jmh.Main JwtValidationBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JwtValidationBenchmark {

    private JwtAuthenticator jwts;
    private String token;
    private final String key = ApiKeys.generate();

    @Setup
    public void setUp() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("k1").generate();
        String issuer = "http://localhost:8080/realms/llmproxy";
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).subject("0b5c-user").audience(List.of("llmproxy-api", "account"))
                .expirationTime(new Date(System.currentTimeMillis() + 3_600_000)).issueTime(new Date())
                .claim("preferred_username", "dev@example.org").claim("azp", "llmproxy-admin-ui")
                .claim("scope", "openid profile email").claim("realm_access", java.util.Map.of("roles", List.of("Developer")))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims);
        jwt.sign(new RSASSASigner(rsa));
        token = jwt.serialize();
        jwts = new JwtAuthenticator(new JwksCache(new JWKSet(rsa.toPublicJWK())), issuer, "llmproxy-api",
                Duration.ofSeconds(30), Clock.systemUTC());
        if (!jwts.verify(token).ok()) {
            throw new IllegalStateException("the benchmark's token does not verify");
        }
    }

    /** A token seen before (the usual case: a client reuses its token for minutes). */
    @Benchmark
    public JwtAuthenticator.Verdict jwtWarm() {
        return jwts.verify(token);
    }

    /** A token's first call: RSA signature and every claim. */
    @Benchmark
    public JwtAuthenticator.Verdict jwtFirstUse() {
        return jwts.verifyUncached(token);
    }

    @Benchmark
    public String apiKey() {
        return ApiKeys.hash(key);
    }
}
