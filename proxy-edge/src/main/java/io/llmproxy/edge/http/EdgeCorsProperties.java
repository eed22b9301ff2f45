package io.llmproxy.edge.http;

import io.llmproxy.kernel.web.BrowserOrigins;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which browser origins may call the edge's OpenAI-format chat and model list across origins
 * ({@code llmproxy.edge.cors.*}, applied by {@link EdgeCors}): the admin console's playground.
 *
 * @param allowedOrigins exact origins ({@code scheme://host[:port]}, scheme {@code http} or {@code https},
 *                       a trailing {@code /} tolerated), comma-separated in the environment
 *                       ({@code LLMPROXY_EDGE_CORS_ALLOWEDORIGINS}); default the admin apps' console
 *                       origins ({@code LLMPROXY_ADMIN_UI_ORIGINS}, else
 *                       {@code http://localhost:3000,http://127.0.0.1:3000}); empty = no browser
 *                       origin at all. Refused at start ({@link IllegalArgumentException}): {@code *} or
 *                       a pattern, {@code null} (the origin of sandboxed frames and {@code file:} pages,
 *                       which any site can produce), and anything else that is not an origin (no
 *                       scheme, another scheme, user info, a path, a query or a fragment)
 */
@ConfigurationProperties("llmproxy.edge.cors")
public record EdgeCorsProperties(@DefaultValue({"http://localhost:3000", "http://127.0.0.1:3000"}) List<String> allowedOrigins) {

    public EdgeCorsProperties {
        allowedOrigins = allowedOrigins == null ? List.of()
                : allowedOrigins.stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
        allowedOrigins.forEach(o -> BrowserOrigins.requireExact("llmproxy.edge.cors.allowed-origins", o));
    }
}
