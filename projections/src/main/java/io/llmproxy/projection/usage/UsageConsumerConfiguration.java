package io.llmproxy.projection.usage;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Error handling of the usage consumer: a failed event is retried with exponential back-off
 * (0.5 s doubling to 30 s) without limit, never skipped, because skipping would lose a billed call.
 * Events that can never be applied are filtered out by {@link UsageKafkaListener} before.
 */
@Configuration(proxyBeanMethods = false)
public class UsageConsumerConfiguration {

    @Bean
    CommonErrorHandler usageErrorHandler() {
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxInterval(30_000);
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        return new DefaultErrorHandler(backOff);
    }
}
