package io.llmproxy.command.web;

import io.llmproxy.command.config.LlmProxyAdminProperties;
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
 * Requires {@code Authorization: Bearer $LLMPROXY_ADMIN_TOKEN} on every {@code /admin/**}
 * request (constant-time comparison). Answers 401 problem JSON otherwise. Stands in until the
 * identity issue brings Keycloak-issued JWTs.
 */
@Component
public class AdminTokenFilter extends OncePerRequestFilter {

    private final byte[] expected;

    public AdminTokenFilter(LlmProxyAdminProperties properties) {
        if (properties.token() == null || properties.token().isBlank()) {
            throw new IllegalStateException("LLMPROXY_ADMIN_TOKEN must be set (infra/local/up.sh sets one)");
        }
        this.expected = ("Bearer " + properties.token()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/admin/");
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
