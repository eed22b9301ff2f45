package io.llmproxy.edge.config;

import java.util.List;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.json.JsonMapper;

/**
 * The edge's Jackson: Spring Boot's {@link JsonMapper} (every {@link JsonMapperBuilderCustomizer},
 * {@code spring.jackson.*} included) on a {@link JsonFactory} whose buffers are recycled per thread.
 *
 * <p>Jackson 3's default recycler pool is a shared concurrent deque: every parser and generator
 * takes and returns its buffers through it, which cost about 0.5 µs per {@code readTree} on this
 * project's 2-core machine (issue #16; measured with {@code ClientCodecBench}: a 33-event stream
 * went from about 90 to 55 µs). The edge parses and writes JSON on its Netty event loops, a small
 * fixed set of platform threads, which is what a thread-local pool suits.
 */
@Configuration
public class EdgeJson {

    /** @return a builder on the edge's factory, without Spring's customizers (benchmarks, tests) */
    public static JsonMapper.Builder builder() {
        return JsonMapper.builder(JsonFactory.builder().recyclerPool(JsonRecyclerPools.threadLocalPool()).build());
    }

    /** Replaces Spring Boot's builder (which backs off when one exists); Boot builds its JsonMapper from it. */
    @Bean
    @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
    JsonMapper.Builder edgeJsonMapperBuilder(List<JsonMapperBuilderCustomizer> customizers) {
        JsonMapper.Builder builder = builder();
        for (JsonMapperBuilderCustomizer customizer : customizers) {
            customizer.customize(builder);
        }
        return builder;
    }
}
