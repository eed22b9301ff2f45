package io.llmproxy.edge.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The sender's own linger ({@code llmproxy.edge.usage-sender-linger}, issue #16): events published a few
 * milliseconds apart are sent to a real (embedded) Kafka in as many produce batches as the linger allows,
 * every one of them delivered. Batches are counted by {@code llmproxy.usage.publish.duration}, one sample
 * per batch sent.
 */
class UsageSenderLingerTest {

    private static EmbeddedKafkaKraftBroker kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void kafka() {
        kafka = new EmbeddedKafkaKraftBroker(1, 3, UsageRecorded.TOPIC);
        kafka.afterPropertiesSet();
    }

    @AfterAll
    static void stopKafka() {
        kafka.destroy();
    }

    @ParameterizedTest(name = "sender linger {0} ms: {1}..{2} batches for 20 events 10 ms apart")
    @CsvSource({
            // far longer than the 200 ms of publishing: one batch, or two when the first event went alone
            "2000, 1, 2",
            // no linger: a batch whenever the sender finds something, about one per event (fewer while one is in flight)
            "0, 5, 20",
    })
    void eventsAreSentInAsManyBatchesAsTheLingerAllows(long lingerMs, int minBatches, int maxBatches) throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokersAsString());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        UsagePublisher publisher = new UsagePublisher(new KafkaProducer<>(UsageProducerConfig.of(config), new StringSerializer(),
                new StringSerializer()), UsagePublisherRestartTest.JSON, meters, UsageJournal.open(dir, 1 << 30, 64 * 1024),
                Clock.systemUTC(), Duration.ofSeconds(5), Duration.ZERO, true, Duration.ZERO, Duration.ofMillis(lingerMs), true);
        try {
            // a first event, delivered alone, so that the producer is connected before the measured ones
            publisher.publish(UsagePublisherRestartTest.event("tenant-linger", 0));
            await().atMost(Duration.ofSeconds(30)).until(() -> meters.get("llmproxy.usage.published").counter().count() == 1);
            long before = meters.get("llmproxy.usage.publish.duration").timer().count();
            for (int i = 1; i <= 20; i++) {
                publisher.publish(UsagePublisherRestartTest.event("tenant-linger", i));
                Thread.sleep(10);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> meters.get("llmproxy.usage.published").counter().count() == 21);
            long batches = meters.get("llmproxy.usage.publish.duration").timer().count() - before;
            assertThat(batches).isBetween((long) minBatches, (long) maxBatches);
            assertThat(meters.get("llmproxy.usage.buffer.events").gauge().value()).isZero();
        } finally {
            publisher.destroy();
        }
    }

    /**
     * 300 events of one tenant (one partition, ~200 KB) found by the sender in one linger leave in one produce
     * request: the producer's {@code batch.size} ({@link UsageProducerConfig#BATCH_BYTES}) holds them, where
     * Kafka's default of 16 KiB split them into about thirteen requests of ~23 records.
     */
    @Test
    void oneSenderBatchToOnePartitionIsOneProduceRequest() throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokersAsString());
        // the producer's own linger long enough that only the batch size can split the 300 (a cold test JVM
        // takes more than the 5 ms of application.yml to hand them to the producer)
        config.put(ProducerConfig.LINGER_MS_CONFIG, 500);
        assertThat(UsageProducerConfig.of(config)).containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        assertThat(UsageProducerConfig.of(Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 32768)))
                .containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, 32768);
        KafkaProducer<String, String> producer = new KafkaProducer<>(UsageProducerConfig.of(config), new StringSerializer(),
                new StringSerializer());
        UsagePublisher publisher = new UsagePublisher(producer, UsagePublisherRestartTest.JSON, meters,
                UsageJournal.open(dir, 1 << 30, 1 << 20), Clock.systemUTC(), Duration.ofSeconds(5), Duration.ZERO, true,
                Duration.ZERO, Duration.ofMillis(3000), true);
        try {
            publisher.publish(UsagePublisherRestartTest.event("tenant-batch", 0));
            await().atMost(Duration.ofSeconds(30)).until(() -> meters.get("llmproxy.usage.published").counter().count() == 1);
            for (int i = 1; i <= 300; i++) {
                publisher.publish(UsagePublisherRestartTest.event("tenant-batch", i));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> meters.get("llmproxy.usage.published").counter().count() == 301);
            // two produce requests in the window: the first event alone, then all 300: (1 + 300) / 2; with 16 KiB
            // batches the 300 left in about thirteen requests of ~23, an average near 23
            assertThat(producerMetric(producer, "records-per-request-avg")).isEqualTo(150.5);
            assertThat(producerMetric(producer, "batch-size-max")).isGreaterThan(100_000.0);
        } finally {
            publisher.destroy();
        }
    }

    /**
     * Idle, the journal writer and the sender park without a timeout (issue #16: each timed wake-up of an idle
     * thread cost ~0.1 ms of CPU on a small VM, 40 a second): the next event still wakes both and is delivered,
     * and both go back to waiting without a timeout.
     */
    @Test
    void anIdlePublishersThreadsWaitWithoutATimeoutAndTheNextEventWakesThem() throws Exception {
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        MeterRegistry meters = new SimpleMeterRegistry();
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokersAsString());
        UsagePublisher publisher = new UsagePublisher(new KafkaProducer<>(UsageProducerConfig.of(config), new StringSerializer(),
                new StringSerializer()), UsagePublisherRestartTest.JSON, meters, UsageJournal.open(dir, 1 << 30, 64 * 1024),
                Clock.systemUTC(), Duration.ofSeconds(5), Duration.ofMillis(5), true, Duration.ZERO, Duration.ofMillis(20), true);
        try {
            List<Thread> threads = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
                    .filter(t -> t.getName().equals("usage-sender") || t.getName().equals("usage-journal")).toList();
            assertThat(threads).extracting(Thread::getName).containsExactlyInAnyOrder("usage-sender", "usage-journal");
            for (int i = 1; i <= 3; i++) {
                publisher.publish(UsagePublisherRestartTest.event("tenant-idle", i));
                long published = i;
                await().atMost(Duration.ofSeconds(30)).until(() -> meters.get("llmproxy.usage.published").counter().count() == published);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(threads)
                        .allSatisfy(t -> assertThat(t.getState()).as(t.getName()).isEqualTo(Thread.State.WAITING)));
                // and it stays so: no timed wake-up puts it in TIMED_WAITING or RUNNABLE meanwhile
                for (int look = 0; look < 20; look++) {
                    Thread.sleep(10);
                    assertThat(threads).allSatisfy(t -> assertThat(t.getState()).as(t.getName()).isEqualTo(Thread.State.WAITING));
                }
            }
            assertThat(meters.get("llmproxy.usage.buffer.events").gauge().value()).isZero();
        } finally {
            publisher.destroy();
        }
    }

    private static double producerMetric(KafkaProducer<?, ?> producer, String name) {
        return producer.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("producer-metrics") && e.getKey().name().equals(name))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst().orElseThrow();
    }
}
