package io.llmproxy.query.web;

import io.llmproxy.adminweb.AdminTokenFilter;
import io.llmproxy.query.config.QuerySideProperties;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Admin authentication of the read API: {@code /admin/**}, {@code /audit/**}, {@code /finance/**}. */
@Configuration
@Import(io.llmproxy.adminweb.CommonProblemHandler.class)
class AdminWebConfiguration {

    @Bean
    AdminTokenFilter adminTokenFilter(QuerySideProperties properties) {
        return new AdminTokenFilter(properties.adminToken(), List.of("/admin/", "/audit/", "/finance/"));
    }
}
