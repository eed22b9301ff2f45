package io.llmproxy.query.consistency;

import java.time.Duration;
import java.util.List;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Read your own writes (ADR 0020) on every read of the query side. Configuration:
 * {@code llmproxy.query.consistency.processors} (the read models' processing groups, default
 * {@code admin-read-model,audit-admin}), {@code llmproxy.query.consistency.max-wait} (default 5 s),
 * {@code llmproxy.query.consistency.poll-ms} (default 20).
 */
@Configuration(proxyBeanMethods = false)
class ConsistencyConfiguration implements WebMvcConfigurer {

    private final MinPositionInterceptor interceptor;

    ConsistencyConfiguration(JdbcTemplate jdbc, Serializer serializer,
                             @Value("${llmproxy.query.consistency.processors:admin-read-model,audit-admin}") List<String> processors,
                             @Value("${llmproxy.query.consistency.max-wait:5s}") Duration maxWait,
                             @Value("${llmproxy.query.consistency.poll-ms:20}") long pollMs) {
        ProjectionPositions positions = new ProjectionPositions(jdbc, serializer, processors);
        this.interceptor = new MinPositionInterceptor(positions::lowest, maxWait, pollMs);
    }

    @Bean
    MinPositionInterceptor minPositionInterceptor() {
        return interceptor;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(interceptor);
    }
}
