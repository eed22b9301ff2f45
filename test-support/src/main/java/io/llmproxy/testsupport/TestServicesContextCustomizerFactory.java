package io.llmproxy.testsupport;

import java.util.List;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.PropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Points every Spring test context at the Redis container when {@link TestServices} chose
 * {@link TestServices.Mode#CONTAINERS} (registered in {@code META-INF/spring.factories}; nothing is
 * added in {@link TestServices.Mode#LOCAL}). It adds, last, a property source that answers
 * {@code LLMPROXY_REDIS_HOST} and {@code LLMPROXY_REDIS_PORT}, the variables the edge's
 * {@code llmproxy.edge.redis-url} default is made of; a test that sets {@code llmproxy.edge.redis-url}
 * itself keeps its own. The container starts on the first lookup, so contexts that never resolve
 * those names (command-side, query-side) start none.
 *
 * <p>PostgreSQL, Kafka and Keycloak need no such hook: tests pass their URLs explicitly, from
 * {@link LocalPostgres}, {@link TestKafka} and {@link KeycloakTestServer}.
 */
public final class TestServicesContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        return TestServices.mode() == TestServices.Mode.CONTAINERS ? new Customizer() : null;
    }

    /** Stateless: equal to every other, so it never splits Spring's context cache. */
    static final class Customizer implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
            context.getEnvironment().getPropertySources().addLast(new ContainerProperties());
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Customizer;
        }

        @Override
        public int hashCode() {
            return Customizer.class.hashCode();
        }
    }

    /** Answers the Redis variables from the container, started on the first lookup. */
    static final class ContainerProperties extends PropertySource<Object> {

        ContainerProperties() {
            super("llmproxyTestServices", new Object());
        }

        @Override
        public Object getProperty(String name) {
            return switch (name) {
                case "LLMPROXY_REDIS_HOST" -> TestServices.redis().host();
                case "LLMPROXY_REDIS_PORT" -> Integer.toString(TestServices.redis().port());
                default -> null;
            };
        }
    }
}
