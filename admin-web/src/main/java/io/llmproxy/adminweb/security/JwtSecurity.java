package io.llmproxy.adminweb.security;

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
 *       Nimbus; an unknown {@code kid} refreshes them). {@code alg: none}, HS256 and tokens signed
 *       by any other key are refused.</li>
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

    @Bean
    RoleAssignmentAuthorities roleAssignmentAuthorities(JdbcTemplate jdbc) {
        return new RoleAssignmentAuthorities(jdbc);
    }

    @Bean
    @Order(2)
    JwtAuthenticationProvider jwtAuthenticationProvider(JwtProperties properties, RoleAssignmentAuthorities roles) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(properties.keysUri())
                .jwsAlgorithm(SignatureAlgorithm.RS256)
                .build();
        decoder.setJwtValidator(validator(properties));
        JwtAuthenticationProvider provider = new JwtAuthenticationProvider(decoder);
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setPrincipalClaimName("preferred_username");
        converter.setJwtGrantedAuthoritiesConverter(jwt -> authorities(jwt, roles));
        provider.setJwtAuthenticationConverter(converter);
        return provider;
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
