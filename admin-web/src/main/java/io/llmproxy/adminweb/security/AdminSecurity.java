package io.llmproxy.adminweb.security;

import io.llmproxy.adminweb.ProblemWriter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Authentication and authorisation of both admin apps (command-side, query-side), decided by
 * Spring Security on the same normalised path that request mapping uses. Deny by default: only
 * {@code /actuator/health/**} and {@code /actuator/info} are open; each endpoint of
 * {@link EndpointPermissions} needs a token whose role assignments hold its permission at its
 * tenant ({@link TenantAuthorization}); every other path (unknown ones and {@code /error}
 * included) needs {@code ROLE_PlatformAdmin} (403 otherwise).
 *
 * <ul>
 *   <li>Bearer tokens are read by the resource server's {@code BearerTokenAuthenticationFilter}
 *       and authenticated by one {@link ProviderManager} holding every {@link AuthenticationProvider}
 *       bean of the app, in {@code @Order}: the {@link StaticBootstrapTokenAuthenticationProvider}
 *       and, when configured, Keycloak access tokens ({@link JwtSecurity}). The app refuses to start
 *       when there is none.</li>
 *   <li>401 (no or bad token) and 403 are problem JSON with {@code code} {@code unauthorized} /
 *       {@code forbidden} and {@code WWW-Authenticate: Bearer}, counted by {@link AuthRefusals}.</li>
 *   <li>Spring Security's default {@code StrictHttpFirewall} refuses ambiguous paths (encoded
 *       {@code /}, {@code .} or {@code %}, {@code ;} path parameters, {@code //}, dot segments):
 *       400 problem JSON with {@code code} {@code invalid_path}.</li>
 *   <li>Stateless: no session, no CSRF (no cookie is ever read), no form or basic login.</li>
 *   <li>Error dispatches (the container forwarding a failed, already-admitted request to
 *       {@code /error}) are let through so the error is rendered as problem JSON; a direct
 *       request to {@code /error} is a normal request and needs a token.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class AdminSecurity {

    /** Setting that turns the static bootstrap token on (default) or off. */
    public static final String BOOTSTRAP_TOKEN_ENABLED = "llmproxy.security.bootstrap-token.enabled";

    @Bean
    SecurityFilterChain adminSecurityFilterChain(HttpSecurity http, ObjectProvider<AuthenticationProvider> providers,
                                                 ObjectProvider<JdbcTemplate> jdbc,
                                                 ObjectProvider<MeterRegistry> meters) throws Exception {
        AuthenticationManager manager = authenticationManager(providers.orderedStream().toList());
        AuthRefusals refusals = new AuthRefusals(meters);
        AuthenticationEntryPoint unauthorized = unauthorizedEntryPoint(refusals);
        AccessDeniedHandler forbidden = forbiddenHandler(refusals);
        http.authorizeHttpRequests(requests -> {
                    requests.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                            .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info").permitAll();
                    // the permission matrix: one rule per endpoint (EndpointPermissions), decided by TenantAuthorization
                    for (EndpointPermissions.Rule rule : EndpointPermissions.RULES) {
                        requests.requestMatchers(rule.method(), rule.pattern()).access(new TenantAuthorization(rule, jdbc));
                    }
                    // anything else (actuator, unknown paths): PlatformAdmin only
                    requests.anyRequest().hasRole("PlatformAdmin");
                })
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .authenticationManagerResolver(request -> manager)
                        .authenticationEntryPoint(unauthorized)
                        .accessDeniedHandler(forbidden))
                .exceptionHandling(exceptions -> exceptions
                        .authenticationEntryPoint(unauthorized)
                        .accessDeniedHandler(forbidden))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable);
        return http.build();
    }

    /**
     * @return one manager over {@code providers}, asked in order
     * @throws IllegalStateException when there is no provider (bootstrap token off and no JWTs)
     */
    static AuthenticationManager authenticationManager(List<AuthenticationProvider> providers) {
        if (providers.isEmpty()) {
            throw new IllegalStateException("no admin authentication is configured: " + BOOTSTRAP_TOKEN_ENABLED
                    + " is false and no other AuthenticationProvider (JWT) is defined");
        }
        ProviderManager manager = new ProviderManager(providers);
        manager.setEraseCredentialsAfterAuthentication(true);
        return manager;
    }

    /** 401 problem JSON, {@code WWW-Authenticate: Bearer}; the detail never echoes the token. */
    static AuthenticationEntryPoint unauthorizedEntryPoint(AuthRefusals refusals) {
        return (request, response, e) -> {
            refusals.unauthorized(e);
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            ProblemWriter.write(response, 401, "unauthorized", null, "missing or wrong admin bearer token");
        };
    }

    /** 403 problem JSON, {@code WWW-Authenticate: Bearer error="insufficient_scope"}. */
    static AccessDeniedHandler forbiddenHandler(AuthRefusals refusals) {
        return (request, response, e) -> {
            refusals.forbidden();
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\"");
            ProblemWriter.write(response, 403, "forbidden", null, "the token is not allowed to do this");
        };
    }

    /** Answers the firewall's refusals of ambiguous paths: 400 problem JSON, code {@code invalid_path}. */
    @Bean
    RequestRejectedHandler adminRequestRejectedHandler() {
        return (request, response, e) -> ProblemWriter.write(response, 400, "invalid_path", null,
                "the request path is ambiguous (encoded '/', '.' or '%', ';' parameters, '//' or dot segments): "
                        + "send the normalised path");
    }
}
