package io.llmproxy.query.web;

import io.llmproxy.adminweb.AdminWeb;
import io.llmproxy.adminweb.security.AdminSecurity;
import io.llmproxy.adminweb.security.StaticBootstrapTokenAuthenticationProvider;
import io.llmproxy.query.config.QuerySideProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Admin web side of the read API ({@code /admin/**}, {@code /audit/**}, {@code /finance/**}):
 * Spring Security, deny by default ({@link AdminSecurity}), the bootstrap token
 * ({@code llmproxy.query.admin-token}) and problem JSON.
 */
@Configuration
@Import(AdminWeb.class)
class AdminWebConfiguration {

    @Bean
    @ConditionalOnBooleanProperty(name = AdminSecurity.BOOTSTRAP_TOKEN_ENABLED, matchIfMissing = true)
    StaticBootstrapTokenAuthenticationProvider bootstrapTokenAuthentication(QuerySideProperties properties) {
        return new StaticBootstrapTokenAuthenticationProvider(properties.adminToken());
    }
}
