package io.llmproxy.edge.usage;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/** How the edge's usage delivery ({@link UsagePublisher}) is configured: its Kafka producer and its journal's segments. */
final class UsageProducerConfig {

    /**
     * The producer's {@code batch.size} unless configured: 256 KiB, room for one full send batch of the
     * sender ({@link UsagePublisher#SEND_BATCH} events of ~500–700 bytes) to one partition. The idempotent
     * producer puts at most one batch per partition in a produce request, so with Kafka's default of 16 KiB a
     * sender batch of 100 events to one partition left as 3–4 requests. Measured (issue #16, runs of 20 s at
     * 1,000 calls/s on one tenant, alternating between fresh edges, {@code /proc}): the Kafka broker's CPU
     * went from 76–96 to 54–65 µs per call; the edge's and query-side's moved within the machine's noise.
     */
    static final int BATCH_BYTES = 256 * 1024;

    private UsageProducerConfig() {
    }

    /**
     * The producer configuration the edge runs with: Spring's {@code spring.kafka.producer.*}
     * with idempotence forced on, {@code acks=all}, at most 5 in-flight requests (the bound
     * under which the idempotent producer keeps order per partition) and {@code batch.size}
     * {@value #BATCH_BYTES} bytes unless configured.
     */
    static Map<String, Object> of(Map<String, Object> configured) {
        Map<String, Object> config = new HashMap<>(configured);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        Object inFlight = config.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
        if (inFlight == null || Integer.parseInt(inFlight.toString()) > 5) {
            config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        }
        config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_BYTES);
        config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        return config;
    }

    /** A segment is an eighth of the bound, between 64 KiB and 16 MiB. */
    static long segmentBytes(long maxBytes) {
        return Math.max(64 * 1024, Math.min(16L * 1024 * 1024, maxBytes / 8));
    }
}
