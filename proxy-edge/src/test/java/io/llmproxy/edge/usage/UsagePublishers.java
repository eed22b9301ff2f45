package io.llmproxy.edge.usage;

import io.llmproxy.testsupport.FreePorts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Usage publishers for tests (of this package and others), with a real journal and a real producer.
 *
 * <p>The static methods make one. An instance, a field registered with {@code @RegisterExtension},
 * makes them with its own {@link #meters} and destroys every one still open after each test:
 * <pre>
 * &#64;RegisterExtension
 * final UsagePublishers publishers = new UsagePublishers();
 * ... publishers.open(dir, 1 &lt;&lt; 20, Duration.ofMinutes(10), true, Duration.ZERO) ...
 * </pre>
 */
public final class UsagePublishers implements AfterEachCallback {

    /** The meters of every publisher this instance opens. */
    public final MeterRegistry meters = new SimpleMeterRegistry();
    private final List<UsagePublisher> open = new ArrayList<>();

    /**
     * Like {@link #unreachableKafka(Path, MeterRegistry, long, Duration, boolean, Duration, boolean)} with {@link #meters},
     * an answer waiting for its event's sync;
     * the publisher is destroyed after the test unless {@link #destroy} did it before.
     */
    public UsagePublisher open(Path dir, long maxBytes, Duration linger, boolean durableAnswers, Duration durableLinger)
            throws IOException {
        return open(dir, maxBytes, linger, durableAnswers, durableLinger, true);
    }

    /**
     * The same, choosing what a durable answer waits for.
     *
     * @param syncAwaited true: its event's sync ({@code usage-buffer-answers-wait-for=sync}); false: its write
     */
    public UsagePublisher open(Path dir, long maxBytes, Duration linger, boolean durableAnswers, Duration durableLinger,
                               boolean syncAwaited) throws IOException {
        UsagePublisher p = unreachableKafka(dir, meters, maxBytes, linger, durableAnswers, durableLinger, syncAwaited);
        open.add(p);
        return p;
    }

    /** Destroys {@code publisher} now (what its writer holds is written to the journal) and forgets it. */
    public void destroy(UsagePublisher publisher) throws InterruptedException {
        publisher.destroy();
        open.remove(publisher);
    }

    /** Destroys the publishers still open, in the order they were opened. */
    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        for (UsagePublisher p : open) {
            p.destroy();
        }
        open.clear();
    }

    /**
     * @param dir           the journal's directory
     * @param maxBytes      the journal's bound (a few bytes: every event is rejected)
     * @param linger        the writer's linger
     * @param durableLinger the writer's linger once an answer waits, while calls come faster than syncs
     * @param syncAwaited   whether a durable answer waits for its event's sync (else for its write)
     * @return a publisher whose Kafka is unreachable (a free port): what it journals stays in the journal;
     *         {@link UsagePublisher#destroy} it
     */
    public static UsagePublisher unreachableKafka(Path dir, MeterRegistry meters, long maxBytes, Duration linger,
                                                  boolean durableAnswers, Duration durableLinger, boolean syncAwaited)
            throws IOException {
        int port = FreePorts.next();
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 500);
        return new UsagePublisher(new KafkaProducer<>(UsageProducerConfig.of(config), new StringSerializer(),
                new StringSerializer()), JsonMapper.builder().build(), meters, UsageJournal.open(dir, maxBytes, 64 * 1024),
                Clock.systemUTC(), Duration.ofMillis(300), linger, durableAnswers, durableLinger, linger, syncAwaited);
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
