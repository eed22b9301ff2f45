package io.llmproxy.query;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Runs the projections (event store and Kafka) and serves admin, audit and finance reads. */
@SpringBootApplication(scanBasePackages = {"io.llmproxy.query", "io.llmproxy.projection"})
@ConfigurationPropertiesScan
public class QuerySideApplication {

    public static void main(String[] args) {
        SpringApplication.run(QuerySideApplication.class, args);
    }
}
