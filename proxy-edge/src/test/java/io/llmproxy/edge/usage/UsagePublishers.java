package io.llmproxy.edge.usage;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.json.JsonMapper;

/** Usage publishers for tests of other packages, with a real journal and a real producer. */
public final class UsagePublishers {

    private UsagePublishers() {
    }

    /**
     * @param dir      the journal's directory
     * @param maxBytes the journal's bound (a few bytes: every event is rejected)
     * @param linger   the writer's linger
     * @return a publisher whose Kafka is unreachable (a free port): what it journals stays in the journal;
     *         {@link UsagePublisher#destroy} it
     */
    public static UsagePublisher unreachableKafka(Path dir, MeterRegistry meters, long maxBytes, Duration linger,
                                                  boolean durableAnswers) throws IOException {
        return unreachableKafka(dir, meters, maxBytes, linger, durableAnswers, Duration.ZERO);
    }

    /** @param durableLinger the writer's linger once an answer waits, while calls come faster than syncs */
    public static UsagePublisher unreachableKafka(Path dir, MeterRegistry meters, long maxBytes, Duration linger,
                                                  boolean durableAnswers, Duration durableLinger) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 500);
        return new UsagePublisher(new KafkaProducer<>(UsageProducerConfig.of(config), new StringSerializer(),
                new StringSerializer()), JsonMapper.builder().build(), meters, UsageJournal.open(dir, maxBytes, 64 * 1024),
                Clock.systemUTC(), Duration.ofMillis(300), linger, durableAnswers, durableLinger);
    }

    /** @return the events in the journal, oldest first */
    public static List<io.llmproxy.kernel.usage.UsageRecorded> journaled(UsagePublisher publisher) throws IOException {
        return publisher.journaled(10_000);
    }

    /** @return the event ids in the journal, oldest first */
    public static List<String> journaledIds(UsagePublisher publisher) throws IOException {
        return publisher.journaled(10_000).stream().map(e -> e.eventId()).toList();
    }
}
