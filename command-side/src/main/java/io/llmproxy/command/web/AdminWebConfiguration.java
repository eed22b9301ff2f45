package io.llmproxy.command.web;

import io.llmproxy.adminweb.AdminTokenFilter;
import io.llmproxy.command.config.LlmProxyAdminProperties;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Admin authentication of the command API: every {@code /admin/**} request. */
@Configuration
@Import({io.llmproxy.adminweb.CommonProblemHandler.class, io.llmproxy.adminweb.StrictJson.class})
class AdminWebConfiguration {

    @Bean
    AdminTokenFilter adminTokenFilter(LlmProxyAdminProperties properties) {
        return new AdminTokenFilter(properties.token(), List.of("/admin/"));
    }
}
