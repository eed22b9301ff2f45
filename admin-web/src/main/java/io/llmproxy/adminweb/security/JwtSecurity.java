package io.llmproxy.adminweb.security;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import java.net.MalformedURLException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;

/**
 * Keycloak access tokens on both admin apps, next to the bootstrap token (ADR 0011 addendum,
 * issue #10): Spring Security's {@link JwtAuthenticationProvider} joins the {@code ProviderManager}
 * of {@link AdminSecurity}. Active when {@code llmproxy.security.jwt.issuer-uri} is set.
 *
 * <ul>
 *   <li>Signature: RS256 only, keys from the realm's JWKS (fetched on first use and cached by
 *       Nimbus; an unknown {@code kid} refreshes them at most once per 10 s: {@link #keys}).
 *       {@code alg: none}, HS256 and tokens signed by any other key are refused.</li>
 *   <li>Claims: {@code iss} exactly {@link JwtProperties#issuerUri()}, {@code aud} containing
 *       {@link JwtProperties#audience()}, {@code exp}/{@code nbf} within {@link JwtProperties#clockSkew()}.</li>
 *   <li>Principal: {@code preferred_username}; authorities: its role assignments in force now
 *       ({@link RoleAssignmentAuthorities}).</li>
 * </ul>
 * Any refusal is 401 problem JSON (the token is never echoed or logged).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(JwtProperties.class)
@ConditionalOnProperty(name = "llmproxy.security.jwt.issuer-uri")
public class JwtSecurity {

    /** Connect and read timeout of a JWKS fetch, and the longest a request waits for one (ms). */
    static final int KEYS_TIMEOUT_MS = 2_000;
    /** The largest JWKS document read (bytes). */
    static final int KEYS_MAX_BYTES = 256 * 1024;
    /** How long fetched keys are used before they are fetched again (ms). */
    static final long KEYS_TTL_MS = 5 * 60_000;
    /** The least time between two fetches caused by unknown kids (ms). */
    static final long KEYS_MIN_INTERVAL_MS = 10_000;
    /** How long the last keys stay in use while Keycloak cannot be reached (ms). */
    static final long KEYS_OUTAGE_MS = 60 * 60_000;

    @Bean
    RoleAssignmentAuthorities roleAssignmentAuthorities(JdbcTemplate jdbc) {
        return new RoleAssignmentAuthorities(jdbc);
    }

    @Bean
    @Order(2)
    JwtAuthenticationProvider jwtAuthenticationProvider(JwtProperties properties, RoleAssignmentAuthorities roles) {
        JwtAuthenticationProvider provider = new JwtAuthenticationProvider(decoder(properties, keys(properties.keysUri())));
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setPrincipalClaimName("preferred_username");
        converter.setJwtGrantedAuthoritiesConverter(jwt -> authorities(jwt, roles));
        provider.setJwtAuthenticationConverter(converter);
        return provider;
    }

    /** The decoder of {@link #jwtAuthenticationProvider}: RS256 only, keys from {@code keys}, {@link #validator} claims. */
    static NimbusJwtDecoder decoder(JwtProperties properties, JWKSource<SecurityContext> keys) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSource(keys).jwsAlgorithm(SignatureAlgorithm.RS256).build();
        decoder.setJwtValidator(validator(properties));
        return decoder;
    }

    /**
     * The realm's signing keys, with Nimbus' {@link JWKSourceBuilder}: fetched with
     * {@value #KEYS_TIMEOUT_MS} ms connect and read timeouts (at most {@value #KEYS_MAX_BYTES} bytes),
     * cached {@value #KEYS_TTL_MS} ms; a token naming an unknown {@code kid} refetches them at most
     * once per {@value #KEYS_MIN_INTERVAL_MS} ms (otherwise it is refused at once), so forged kids
     * cannot make an admin app call Keycloak per request; with Keycloak unreachable the last keys
     * stay in use for {@value #KEYS_OUTAGE_MS} ms. Spring's {@code withJwkSetUri} refetched on every
     * unknown kid, on the request thread (attacker pass of 2026-12-07). The edge's {@code JwksCache}
     * keeps the same 10 s.
     *
     * @param uri the JWKS URI ({@link JwtProperties#keysUri()})
     * @throws IllegalArgumentException when {@code uri} is not a URL
     */
    static JWKSource<SecurityContext> keys(String uri) {
        try {
            return JWKSourceBuilder.<SecurityContext>create(URI.create(uri).toURL(),
                            new DefaultResourceRetriever(KEYS_TIMEOUT_MS, KEYS_TIMEOUT_MS, KEYS_MAX_BYTES))
                    .cache(KEYS_TTL_MS, KEYS_TIMEOUT_MS)
                    .rateLimited(KEYS_MIN_INTERVAL_MS)
                    .outageTolerant(KEYS_OUTAGE_MS)
                    .retrying(false)
                    .build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("llmproxy.security.jwt: the JWKS URI is not a URL", e);
        }
    }

    static OAuth2TokenValidator<Jwt> validator(JwtProperties properties) {
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(new JwtTimestampValidator(properties.clockSkew()));
        validators.add(new JwtIssuerValidator(properties.issuerUri()));
        validators.add(jwt -> jwt.getAudience() != null && jwt.getAudience().contains(properties.audience())
                ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "wrong audience", null)));
        validators.add(jwt -> jwt.getClaimAsString("preferred_username") != null
                ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "no preferred_username", null)));
        return new DelegatingOAuth2TokenValidator<>(validators);
    }

    private static Collection<GrantedAuthority> authorities(Jwt jwt, RoleAssignmentAuthorities roles) {
        return roles.of(jwt.getClaimAsString("preferred_username"));
    }
}
