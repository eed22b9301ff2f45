package io.llmproxy.command.config;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Admin API settings ({@code llmproxy.admin.*}).
 *
 * @param token     bearer token every admin request must carry (env {@code LLMPROXY_ADMIN_TOKEN});
 *                  replaced by Keycloak JWTs in a later issue
 * @param secretKey master key, base64 of 32 bytes, that encrypts provider credentials
 *                  (env {@code LLMPROXY_SECRET_KEY})
 */
@ConfigurationProperties("llmproxy.admin")
public record LlmProxyAdminProperties(String token, String secretKey) {
}
