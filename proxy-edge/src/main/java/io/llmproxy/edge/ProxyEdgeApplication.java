package io.llmproxy.edge;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The gateway: OpenAI-format client API in front of the routed providers. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ProxyEdgeApplication {

    public static void main(String[] args) {
        SpringApplication.run(ProxyEdgeApplication.class, args);
    }
}
