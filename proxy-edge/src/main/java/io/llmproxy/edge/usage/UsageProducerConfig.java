package io.llmproxy.edge.usage;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/** How the edge's usage delivery ({@link UsagePublisher}) is configured: its Kafka producer and its journal's segments. */
final class UsageProducerConfig {

    private UsageProducerConfig() {
    }

    /**
     * The producer configuration the edge runs with: Spring's {@code spring.kafka.producer.*}
     * with idempotence forced on, {@code acks=all} and at most 5 in-flight requests (the bound
     * under which the idempotent producer keeps order per partition).
     */
    static Map<String, Object> of(Map<String, Object> configured) {
        Map<String, Object> config = new HashMap<>(configured);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        Object inFlight = config.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
        if (inFlight == null || Integer.parseInt(inFlight.toString()) > 5) {
            config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        }
        config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        return config;
    }

    /** A segment is an eighth of the bound, between 64 KiB and 16 MiB. */
    static long segmentBytes(long maxBytes) {
        return Math.max(64 * 1024, Math.min(16L * 1024 * 1024, maxBytes / 8));
    }
}
