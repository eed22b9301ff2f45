package io.llmproxy.edge.http;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which browser origins may call the edge's OpenAI-format chat and model list across origins
 * ({@code llmproxy.edge.cors.*}, applied by {@link EdgeCors}): the admin console's playground.
 *
 * @param allowedOrigins exact origins ({@code scheme://host[:port]}), comma-separated in the
 *                       environment ({@code LLMPROXY_EDGE_CORS_ALLOWEDORIGINS}); default the admin
 *                       apps' console origins ({@code LLMPROXY_ADMIN_UI_ORIGINS}, else
 *                       {@code http://localhost:3000,http://127.0.0.1:3000}); empty = no browser
 *                       origin at all; {@code *} or a pattern is refused at start
 */
@ConfigurationProperties("llmproxy.edge.cors")
public record EdgeCorsProperties(@DefaultValue({"http://localhost:3000", "http://127.0.0.1:3000"}) List<String> allowedOrigins) {

    public EdgeCorsProperties {
        allowedOrigins = allowedOrigins == null ? List.of()
                : allowedOrigins.stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
        for (String origin : allowedOrigins) {
            if (origin.contains("*")) {
                throw new IllegalArgumentException("llmproxy.edge.cors.allowed-origins must list exact origins, not '" + origin + "'");
            }
        }
    }
}
