package io.llmproxy.command.web;

import io.llmproxy.adminweb.AdminWeb;
import io.llmproxy.adminweb.StrictJson;
import io.llmproxy.adminweb.security.AdminSecurity;
import io.llmproxy.adminweb.security.StaticBootstrapTokenAuthenticationProvider;
import io.llmproxy.command.config.LlmProxyAdminProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Admin web side of the command API: Spring Security, deny by default ({@link AdminSecurity}),
 * the bootstrap token ({@code llmproxy.admin.token}), problem JSON and strict JSON input.
 */
@Configuration
@Import({AdminWeb.class, StrictJson.class})
class AdminWebConfiguration {

    @Bean
    @ConditionalOnBooleanProperty(name = AdminSecurity.BOOTSTRAP_TOKEN_ENABLED, matchIfMissing = true)
    StaticBootstrapTokenAuthenticationProvider bootstrapTokenAuthentication(LlmProxyAdminProperties properties) {
        return new StaticBootstrapTokenAuthenticationProvider(properties.token());
    }
}
