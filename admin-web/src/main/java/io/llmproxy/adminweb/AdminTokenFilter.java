package io.llmproxy.adminweb;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Requires {@code Authorization: Bearer $LLMPROXY_ADMIN_TOKEN} (constant-time comparison) on
 * every request under the given path prefixes; answers 401 problem JSON otherwise. Stands in
 * until the identity issue brings Keycloak-issued JWTs.
 */
public class AdminTokenFilter extends OncePerRequestFilter {

    private final byte[] expected;
    private final List<String> prefixes;

    /**
     * @param token    the admin token; blank is refused at start-up
     * @param prefixes request paths to protect, e.g. {@code /admin/}
     * @throws IllegalStateException when the token is blank
     */
    public AdminTokenFilter(String token, List<String> prefixes) {
        if (token == null || token.isBlank()) {
            throw new IllegalStateException("LLMPROXY_ADMIN_TOKEN must be set (infra/local/up.sh sets one)");
        }
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.prefixes = List.copyOf(prefixes);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return prefixes.stream().noneMatch(uri::startsWith);
    }

    /**
     * @return the name of the first query parameter whose name or value holds a control character
     *         (U+0000..U+001F, U+007F..U+009F), reduced to letters, digits and {@code _}, or null
     */
    static String controlCharacterParameter(HttpServletRequest request) {
        for (java.util.Map.Entry<String, String[]> e : request.getParameterMap().entrySet()) {
            boolean bad = e.getKey().chars().anyMatch(Character::isISOControl);
            for (String v : e.getValue()) {
                bad |= v != null && v.chars().anyMatch(Character::isISOControl);
            }
            if (bad) {
                String name = e.getKey().replaceAll("[^A-Za-z0-9_]", "");
                return name.isEmpty() ? "parameter" : name;
            }
        }
        return null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8))) {
            String bad = controlCharacterParameter(request);
            if (bad != null) {
                // PostgreSQL refuses NUL in text, and no id, filter or name of ours holds control characters
                response.setStatus(400);
                response.setContentType("application/problem+json");
                response.setCharacterEncoding("UTF-8");
                response.getWriter().write("{\"type\":\"https://llmproxy.io/problems/invalid_" + bad + "\",\"title\":\"Bad Request\","
                        + "\"status\":400,\"detail\":\"query parameter " + bad + " must not contain control characters\","
                        + "\"code\":\"invalid_" + bad + "\",\"field\":\"" + bad + "\"}");
                return;
            }
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(401);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("WWW-Authenticate", "Bearer");
        response.getWriter().write("{\"type\":\"https://llmproxy.io/problems/unauthorized\",\"title\":\"Unauthorized\","
                + "\"status\":401,\"detail\":\"missing or wrong admin bearer token\",\"code\":\"unauthorized\"}");
    }
}
