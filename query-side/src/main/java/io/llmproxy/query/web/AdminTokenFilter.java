package io.llmproxy.query.web;

import io.llmproxy.query.config.QuerySideProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Requires {@code Authorization: Bearer $LLMPROXY_ADMIN_TOKEN} (constant-time comparison) on
 * {@code /admin/**}, {@code /audit/**} and {@code /finance/**}; 401 problem JSON otherwise.
 * Stands in until the identity issue brings Keycloak JWTs.
 */
@Component
public class AdminTokenFilter extends OncePerRequestFilter {

    private final byte[] expected;

    public AdminTokenFilter(QuerySideProperties properties) {
        if (properties.adminToken() == null || properties.adminToken().isBlank()) {
            throw new IllegalStateException("LLMPROXY_ADMIN_TOKEN must be set (infra/local/up.sh sets one)");
        }
        this.expected = ("Bearer " + properties.adminToken()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return !(uri.startsWith("/admin/") || uri.startsWith("/audit/") || uri.startsWith("/finance/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8))) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(401);
        response.setContentType("application/problem+json");
        response.setHeader("WWW-Authenticate", "Bearer");
        response.getWriter().write("{\"type\":\"https://llmproxy.io/problems/unauthorized\",\"title\":\"Unauthorized\","
                + "\"status\":401,\"detail\":\"missing or wrong admin bearer token\",\"code\":\"unauthorized\"}");
    }
}
