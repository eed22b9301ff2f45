package io.llmproxy.adminweb.security;

import io.llmproxy.adminweb.ProblemWriter;
import io.llmproxy.kernel.web.BrowserOrigins;
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
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

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
 *   <li>CORS for the admin console ({@link #adminCorsConfigurationSource}): Spring Security's
 *       {@code CorsFilter} answers preflights from the origins of {@value #UI_ORIGINS} (default
 *       {@code http://localhost:3000}) before authentication, and refuses (403) those of any other
 *       origin. No credentials (the console sends a bearer token, never a cookie), never {@code *}.</li>
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

    /** Setting: the admin console's origins allowed by CORS, comma-separated ({@code scheme://host[:port]}). */
    public static final String UI_ORIGINS = "llmproxy.admin.ui-origins";

    /** Default of {@value #UI_ORIGINS}: the console served by {@code infra/local/up.sh} ({@code LLMPROXY_UI_PORT}). */
    public static final String DEFAULT_UI_ORIGINS = "http://localhost:3000";

    @Bean
    SecurityFilterChain adminSecurityFilterChain(HttpSecurity http, ObjectProvider<AuthenticationProvider> providers,
                                                 ObjectProvider<JdbcTemplate> jdbc,
                                                 ObjectProvider<MeterRegistry> meters,
                                                 org.springframework.core.env.Environment environment) throws Exception {
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
                .cors(cors -> cors.configurationSource(
                        adminCorsConfigurationSource(environment.getProperty(UI_ORIGINS, DEFAULT_UI_ORIGINS))))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable);
        return http.build();
    }

    /**
     * The CORS policy of the admin, finance and audit APIs, for the admin console on another origin.
     *
     * @param origins comma-separated exact origins (e.g. {@code http://localhost:3000}); {@code *}, {@code null}
     *                and whatever is not an http(s) origin are refused ({@link BrowserOrigins})
     * @return every path: those origins; GET, POST, PUT, DELETE; request headers {@code Authorization},
     *         {@code Content-Type}, {@code Accept}, {@code Accept-Language}; exposed {@code Location},
     *         {@code WWW-Authenticate}; no credentials (cookies); preflight cached 10 minutes
     * @throws IllegalArgumentException when an origin is not exact ({@link BrowserOrigins#requireExact})
     */
    static CorsConfigurationSource adminCorsConfigurationSource(String origins) {
        List<String> allowed = java.util.Arrays.stream(origins.split(",")).map(String::trim).filter(o -> !o.isEmpty())
                .toList();
        allowed.forEach(o -> BrowserOrigins.requireExact(UI_ORIGINS, o));
        CorsConfiguration config = new CorsConfiguration();
        config.setAllowedOrigins(allowed);
        config.setAllowedMethods(List.of("GET", "POST", "PUT", "DELETE"));
        config.setAllowedHeaders(List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE, HttpHeaders.ACCEPT,
                HttpHeaders.ACCEPT_LANGUAGE, "LLMProxy-Min-Position"));
        // read your own writes (ADR 0020): the console reads a command's position and waits on it
        config.setExposedHeaders(List.of(HttpHeaders.LOCATION, HttpHeaders.WWW_AUTHENTICATE, "LLMProxy-Event-Position",
                "LLMProxy-Projection-Position", HttpHeaders.RETRY_AFTER));
        config.setAllowCredentials(false);
        config.setMaxAge(600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/**", config);
        return source;
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
