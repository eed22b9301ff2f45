package io.llmproxy.query.config;

import io.opentelemetry.api.OpenTelemetry;
import org.axonframework.tracing.SpanFactory;
import org.axonframework.tracing.opentelemetry.OpenTelemetrySpanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Axon's OpenTelemetry tracing (issue #12) on Spring Boot's OpenTelemetry SDK rather than the global
 * one Axon would look up: a command's dispatch and handling, the events it applies and each event
 * processor's handling of them are spans of one trace, whose context travels in the events' metadata
 * ({@code traceparent}). Sampling and export are Spring Boot's ({@code management.tracing.*}).
 */
@Configuration(proxyBeanMethods = false)
public class AxonTracingConfiguration {

    @Bean
    SpanFactory axonSpanFactory(OpenTelemetry openTelemetry) {
        return OpenTelemetrySpanFactory.builder()
                .tracer(openTelemetry.getTracer("AxonFramework-OpenTelemetry"))
                .contextPropagators(openTelemetry.getPropagators().getTextMapPropagator())
                .build();
    }
}
