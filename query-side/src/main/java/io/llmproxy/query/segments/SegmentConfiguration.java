package io.llmproxy.query.segments;

import io.llmproxy.query.config.ProjectionNode;
import java.util.List;
import org.axonframework.config.EventProcessingConfiguration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The {@link SegmentSteward} of the read models' processors ({@code llmproxy.query.consistency.processors},
 * default {@code admin-read-model,audit-admin}); {@code llmproxy.query.segments.position-ms} (default 50)
 * bounds how stale a reported position may be.
 */
@Configuration(proxyBeanMethods = false)
class SegmentConfiguration {

    @Bean
    SegmentSteward segmentSteward(EventProcessingConfiguration processing, JdbcTemplate jdbc, ProjectionNode node,
                                  @Value("${llmproxy.query.consistency.processors:admin-read-model,audit-admin}") List<String> processors,
                                  @Value("${llmproxy.query.segments.position-ms:50}") long positionMs) {
        return new SegmentSteward(processing, jdbc, node, processors, positionMs);
    }
}
