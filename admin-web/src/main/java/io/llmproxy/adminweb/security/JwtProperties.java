package io.llmproxy.adminweb.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Keycloak access tokens on the admin apps ({@code llmproxy.security.jwt.*}; README "Admin
 * authentication", ADR 0011 addendum). Off while {@code issuerUri} is unset.
 *
 * @param issuerUri  the realm's issuer, exactly as tokens carry it, e.g.
 *                   {@code http://localhost:8080/realms/llmproxy}
 * @param jwkSetUri  where the realm's signing keys are fetched (cached); default
 *                   {@code <issuerUri>/protocol/openid-connect/certs}
 * @param audience   a value the token's {@code aud} must contain (default {@code llmproxy-api})
 * @param clockSkew  tolerance on {@code exp} and {@code nbf} (default 30 s)
 */
@ConfigurationProperties("llmproxy.security.jwt")
public record JwtProperties(String issuerUri, String jwkSetUri, @DefaultValue("llmproxy-api") String audience,
                            @DefaultValue("30s") Duration clockSkew) {

    /** @return the JWKS URI to use */
    public String keysUri() {
        return jwkSetUri != null && !jwkSetUri.isBlank() ? jwkSetUri : issuerUri + "/protocol/openid-connect/certs";
    }
}
