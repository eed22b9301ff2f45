package io.llmproxy.edge.auth;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The edge's credentials besides API keys (issue #10): Keycloak access tokens when
 * {@code llmproxy.edge.jwt.issuer-uri} (env {@code LLMPROXY_EDGE_JWT_ISSUERURI}) is set, with the
 * audience {@code llmproxy.edge.jwt.audience} ({@code llmproxy-api}) and the keys from
 * {@code llmproxy.edge.jwt.jwk-set-uri} (default {@code <issuer>/protocol/openid-connect/certs}).
 */
@Configuration(proxyBeanMethods = false)
public class EdgeAuthConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "llmproxy.edge.jwt.issuer-uri")
    JwtAuthenticator jwtAuthenticator(@Value("${llmproxy.edge.jwt.issuer-uri}") String issuer,
                                      @Value("${llmproxy.edge.jwt.jwk-set-uri:#{null}}") String jwkSetUri,
                                      @Value("${llmproxy.edge.jwt.audience:llmproxy-api}") String audience, Clock clock) {
        return JwtAuthenticator.forIssuer(issuer, jwkSetUri, audience, clock);
    }

    @Bean
    AuthRefusals edgeAuthRefusals(org.springframework.beans.factory.ObjectProvider<MeterRegistry> registry) {
        return new AuthRefusals(registry);
    }
}
