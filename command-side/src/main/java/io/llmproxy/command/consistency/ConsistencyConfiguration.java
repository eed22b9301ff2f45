package io.llmproxy.command.consistency;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** Registers {@link EventPositionHeader} for the admin API (after Spring Security's filters). */
@Configuration(proxyBeanMethods = false)
class ConsistencyConfiguration {

    @Bean
    FilterRegistrationBean<EventPositionHeader> eventPositionHeader(JdbcTemplate jdbc) {
        FilterRegistrationBean<EventPositionHeader> registration = new FilterRegistrationBean<>(new EventPositionHeader(jdbc));
        registration.addUrlPatterns("/admin/*");
        return registration;
    }
}
