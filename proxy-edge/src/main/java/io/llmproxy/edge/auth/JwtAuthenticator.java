package io.llmproxy.edge.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies a Keycloak access token at the edge without any I/O (issue #10): RS256 only, signature by
 * a key of the realm's JWKS held by {@link JwksCache}, {@code iss} exactly the issuer, {@code aud}
 * containing the audience, {@code exp}/{@code nbf} within the clock skew, {@code sub} and
 * {@code preferred_username} present, at most {@value #MAX_TOKEN_CHARS} characters. The token is
 * never logged; a refusal carries only a bounded {@link Reason}. Uses Nimbus JOSE+JWT.
 */
public final class JwtAuthenticator implements AutoCloseable {

    /**
     * Longest token accepted, in characters (6 KiB: Keycloak's access tokens here are about 1.3 KiB);
     * a request whose headers pass the edge's 8 KiB header limit is refused earlier with 431.
     */
    public static final int MAX_TOKEN_CHARS = 6 * 1024;

    /** Why a token was refused (the metric's bounded {@code reason}). */
    public enum Reason { MALFORMED, TOO_LARGE, BAD_SIGNATURE, UNKNOWN_KEY, EXPIRED, WRONG_ISSUER, WRONG_AUDIENCE }

    /**
     * The verdict: a verified token's subject and principal, or the reason of a refusal.
     *
     * @param subject   the token's {@code sub}
     * @param principal its {@code preferred_username}, lower-cased
     * @param expiresAt its {@code exp} (null for a refusal)
     */
    public record Verdict(String subject, String principal, Reason refusal, Instant expiresAt) {

        Verdict(String subject, String principal, Reason refusal) {
            this(subject, principal, refusal, null);
        }

        public boolean ok() {
            return refusal == null;
        }

        static Verdict refused(Reason reason) {
            return new Verdict(null, null, reason, null);
        }
    }

    private final JwksCache keys;
    private final String issuer;
    private final String audience;
    private final Duration skew;
    private final Clock clock;
    private final ConcurrentHashMap<String, JWSVerifier> verifiers = new ConcurrentHashMap<>();
    /** Tokens already verified, by SHA-256: their subject, principal and expiry (a warm call skips RSA). */
    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    /** Most verified tokens remembered; beyond it the memory is cleared (tokens live minutes). */
    static final int MAX_VERIFIED = 50_000;

    private record Verified(String subject, String principal, Instant expiresAt) {
    }

    JwtAuthenticator(JwksCache keys, String issuer, String audience, Duration skew, Clock clock) {
        this.keys = keys;
        this.issuer = issuer;
        this.audience = audience;
        this.skew = skew;
        this.clock = clock;
    }

    /**
     * @param issuer   the realm's issuer, e.g. {@code http://localhost:8080/realms/llmproxy}
     * @param audience the audience the APIs check ({@code llmproxy-api})
     * @return an authenticator whose keys are fetched from {@code <issuer>/protocol/openid-connect/certs}
     */
    public static JwtAuthenticator forIssuer(String issuer, String jwksUri, String audience, Clock clock) {
        return new JwtAuthenticator(new JwksCache(jwksUri == null ? issuer + "/protocol/openid-connect/certs" : jwksUri,
                Duration.ofMinutes(5), Duration.ofSeconds(10)), issuer, audience, Duration.ofSeconds(30), clock);
    }

    /** @return true when {@code credential} has a JWS's shape ({@code eyJ….….…}) */
    public static boolean looksLikeJwt(String credential) {
        if (!credential.startsWith("eyJ")) {
            return false;
        }
        int first = credential.indexOf('.');
        return first > 0 && credential.indexOf('.', first + 1) > first && credential.indexOf('.', credential.lastIndexOf('.') + 1) < 0;
    }

    /**
     * @return the verdict on {@code token} (pure CPU: no network call, ever). A token verified before is
     *         recognised by its SHA-256 and only its expiry is checked again, so a warm call costs a hash,
     *         not an RSA verification; a token whose signing key leaves the JWKS stays valid until it
     *         expires (at most the realm's access-token lifespan, 5 minutes).
     */
    public Verdict verify(String token) {
        if (token.length() > MAX_TOKEN_CHARS) {
            return Verdict.refused(Reason.TOO_LARGE);
        }
        String digest = io.llmproxy.kernel.apikey.ApiKeys.hash(token);
        Verified known = verified.get(digest);
        if (known != null) {
            if (clock.instant().isAfter(known.expiresAt().plus(skew))) {
                verified.remove(digest);
                return Verdict.refused(Reason.EXPIRED);
            }
            return new Verdict(known.subject(), known.principal(), null);
        }
        Verdict verdict = verifyUncached(token);
        if (verdict.ok()) {
            if (verified.size() >= MAX_VERIFIED) {
                verified.clear();
            }
            verified.put(digest, new Verified(verdict.subject(), verdict.principal(), verdict.expiresAt()));
        }
        return verdict;
    }

    /** @return the verdict on {@code token}, verifying its signature and every claim (no memory) */
    Verdict verifyUncached(String token) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (java.text.ParseException | RuntimeException e) {
            return Verdict.refused(Reason.MALFORMED);
        }
        if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())) {
            return Verdict.refused(Reason.BAD_SIGNATURE);
        }
        String kid = jwt.getHeader().getKeyID();
        JWK jwk = kid == null ? null : keys.current().getKeyByKeyId(kid);
        if (!(jwk instanceof RSAKey rsa)) {
            keys.refreshSoon();
            return Verdict.refused(Reason.UNKNOWN_KEY);
        }
        try {
            JWSVerifier verifier = verifiers.computeIfAbsent(kid + "/" + rsa.computeThumbprint(), k -> {
                try {
                    return new RSASSAVerifier(rsa);
                } catch (com.nimbusds.jose.JOSEException e) {
                    throw new IllegalStateException(e);
                }
            });
            if (!jwt.verify(verifier)) {
                return Verdict.refused(Reason.BAD_SIGNATURE);
            }
        } catch (com.nimbusds.jose.JOSEException | IllegalStateException e) {
            return Verdict.refused(Reason.BAD_SIGNATURE);
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null || now.isAfter(exp.toInstant().plus(skew))) {
            return Verdict.refused(Reason.EXPIRED);
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.isBefore(nbf.toInstant().minus(skew))) {
            return Verdict.refused(Reason.EXPIRED);
        }
        if (!issuer.equals(claims.getIssuer())) {
            return Verdict.refused(Reason.WRONG_ISSUER);
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(audience)) {
            return Verdict.refused(Reason.WRONG_AUDIENCE);
        }
        Object username = claims.getClaim("preferred_username");
        if (claims.getSubject() == null || !(username instanceof String name) || name.isBlank()) {
            return Verdict.refused(Reason.MALFORMED);
        }
        return new Verdict(claims.getSubject(), name.strip().toLowerCase(Locale.ROOT), null, exp.toInstant());
    }

    @Override
    public void close() {
        keys.close();
    }
}
