package io.llmproxy.kernel.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * What a CORS setting may list: exact browser origins ({@code http(s)://host[:port]}, a trailing
 * {@code /} tolerated, as Spring's {@code CorsConfiguration} compares them). Used by the edge's
 * {@code llmproxy.edge.cors.allowed-origins} and the admin apps' {@code llmproxy.admin.ui-origins}.
 */
public final class BrowserOrigins {

    private BrowserOrigins() {
    }

    /**
     * @param setting the setting's name, for the message
     * @param origin  one listed origin, trimmed
     * @throws IllegalArgumentException naming {@code setting} and {@code origin} for {@code *} or a pattern,
     *         {@code null} (the origin of sandboxed frames and {@code file:} pages, which any site can
     *         produce), and anything else that is not an http(s) origin (no scheme, another scheme,
     *         no host, user info, a path, a query or a fragment)
     */
    public static void requireExact(String setting, String origin) {
        if (origin.contains("*")) {
            throw new IllegalArgumentException(setting + " must list exact origins, not '" + origin + "'");
        }
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            uri = null;
        }
        String scheme = uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean exact = uri != null && (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                && uri.getRawUserInfo() == null && (uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                && uri.getRawQuery() == null && uri.getRawFragment() == null;
        if (!exact) {
            throw new IllegalArgumentException(setting + " must list origins such as http://localhost:3000 "
                    + "(http or https, a host, an optional port; no path), not '" + origin + "'");
        }
    }
}
