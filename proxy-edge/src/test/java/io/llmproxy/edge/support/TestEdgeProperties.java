package io.llmproxy.edge.support;

import io.llmproxy.edge.config.EdgeProperties;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.util.unit.DataSize;

/** {@link EdgeProperties} for tests that build the edge's parts by hand: the given timings, the rest as in application.yml. */
public final class TestEdgeProperties {

    private TestEdgeProperties() {
    }

    /**
     * @param secretKey        the provider-credential key (Base64 of 32 bytes), or null when unused
     * @param pollInterval     the snapshot poll interval
     * @param fullReload       how often the snapshot reloads everything ({@link Duration#ZERO}: at every poll)
     * @param connectTimeout   the upstream connect timeout
     * @param idleTimeout      the upstream idle timeout
     * @return properties with a 1 MiB request bound, local Redis, a 1 MiB usage buffer at {@code target/unused}
     *         (never opened by these tests) and the default lingers
     */
    public static EdgeProperties of(String secretKey, Duration pollInterval, Duration fullReload, Duration connectTimeout,
            Duration idleTimeout) {
        return new EdgeProperties(secretKey, pollInterval, fullReload, connectTimeout, idleTimeout, 1 << 20,
                "redis://127.0.0.1:6379", Duration.ofSeconds(1), 4096, Path.of("target/unused"), DataSize.ofMegabytes(1),
                Duration.ofMillis(5), true, Duration.ZERO, Duration.ofMillis(100),
                EdgeProperties.AnswersWaitFor.WRITE);
    }
}
