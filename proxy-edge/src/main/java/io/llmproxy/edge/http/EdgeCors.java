package io.llmproxy.edge.http;

import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;

/**
 * CORS for the admin console's playground (issue #13): Spring's {@link CorsWebFilter}, first of the
 * edge's web filters, on {@value #CHAT} and {@value #MODELS} only.
 * <ul>
 *   <li>a preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method})
 *       from an origin of {@link EdgeCorsProperties#allowedOrigins()} asking {@code GET} or
 *       {@code POST} with at least one of the headers {@code Authorization} and {@code Content-Type} (or none)
 *       → 200 with the {@code Access-Control-Allow-*} headers, cached 10 minutes; {@code Access-Control-Allow-Headers}
 *       lists only the allowed ones asked, so the browser refuses a request that needs another
 *       (e.g. {@code Cookie}); anything else → 403 (an OpenAI error JSON, filled in by
 *       {@link RequestDeadlines}) without them. Every answer on these paths carries
 *       {@code Vary: Origin}, refusals included. A preflight
 *       never reaches a handler: it is no call, has no usage event, and counts in no quota;</li>
 *   <li>an actual request from an allowed origin gets {@code Access-Control-Allow-Origin} (its
 *       origin) and {@code Access-Control-Expose-Headers} ({@code Retry-After}, the routing headers)
 *       on every answer, errors included ({@link ApiErrorWebExceptionHandler} keeps them), so the
 *       browser can read the JSON error; one from another origin → 403;</li>
 *   <li>no credentials: the browser sends the API key as a bearer token, never a cookie;</li>
 *   <li>a request without {@code Origin} (SDKs, curl) is not touched.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class EdgeCors {

    static final String CHAT = "/v1/chat/completions";
    static final String MODELS = "/v1/models";
    /** What {@link CorsWebFilter} adds to every answer on {@link #CHAT} and {@link #MODELS}, with or without {@code Origin}. */
    static final List<String> VARY = List.of(HttpHeaders.ORIGIN, HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD,
            HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS);

    /** @return whether the policy covers {@code path} (an exact path, as {@link NettyFrame} matches it) */
    static boolean covers(String path) {
        return CHAT.equals(path) || MODELS.equals(path);
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    CorsWebFilter edgeCorsWebFilter(EdgeCorsProperties properties) {
        return new CorsWebFilter(source(properties.allowedOrigins()));
    }

    /** @return the policy above for {@code origins} on the chat and model-list paths */
    static UrlBasedCorsConfigurationSource source(List<String> origins) {
        CorsConfiguration config = new CorsConfiguration();
        config.setAllowedOrigins(origins);
        config.setAllowedMethods(List.of("GET", "POST", "OPTIONS"));
        config.setAllowedHeaders(List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE));
        config.setExposedHeaders(List.of(HttpHeaders.RETRY_AFTER, "x-llmproxy-provider", "x-llmproxy-model", "x-llmproxy-attempts"));
        config.setAllowCredentials(false);
        config.setMaxAge(600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration(CHAT, config);
        source.registerCorsConfiguration(MODELS, config);
        return source;
    }
}
