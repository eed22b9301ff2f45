package io.llmproxy.edge.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.FreePorts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import tools.jackson.databind.json.JsonMapper;

/**
 * The usage component stopped with Kafka down and events still in its disk buffer, then a new one
 * started on the same directory once Kafka is up (what a restarted edge does): every event arrives,
 * once, in order per tenant. Also: the producer's idempotence cannot be configured away, and a full
 * buffer rejects loudly (counted), never silently.
 */
class UsagePublisherRestartTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;
    EmbeddedKafkaKraftBroker kafka;
    final List<UsagePublisher> publishers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (UsagePublisher p : publishers) {
            p.destroy();
        }
        if (kafka != null) {
            kafka.destroy();
        }
    }

    static int freePort() throws Exception {
        return FreePorts.next();
    }

    static UsageRecorded event(String tenant, long sequence) {
        return new UsageRecorded(java.util.UUID.randomUUID().toString(), UsageRecorded.SCHEMA_VERSION, tenant, "key-" + tenant,
                "chat.completions", "gpt-4o-mini", "p1", "sim-gpt-4o-mini", false, sequence, 5, sequence + 5, 12, 200,
                Outcome.SUCCESS, Instant.parse("2026-11-29T12:00:00Z"), null, false, null, 0, null, null);
    }

    UsagePublisher publisher(String bootstrap, MeterRegistry meters, long maxBytes) {
        return publisher(bootstrap, meters, maxBytes, Duration.ofMillis(5));
    }

    UsagePublisher publisher(String bootstrap, MeterRegistry meters, long maxBytes, Duration linger) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 500);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        Producer<String, String> producer = new KafkaProducer<>(UsageProducerConfig.of(config), new StringSerializer(),
                new StringSerializer());
        UsagePublisher p = new UsagePublisher(producer, JSON, meters, UsageJournal.open(dir, maxBytes, 64 * 1024),
                Clock.systemUTC(), Duration.ofMillis(300), linger, true, Duration.ZERO);
        publishers.add(p);
        return p;
    }

    static double gauge(MeterRegistry meters, String name) {
        return meters.get(name).gauge().value();
    }

    @Test
    void eventsPublishedWithinTheLingerShareOneAppendAndOneSync() throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();
        // Kafka unreachable: the events stay in the journal, where they are counted
        UsagePublisher p = publisher("127.0.0.1:" + freePort(), meters, 1 << 30, Duration.ofSeconds(1));
        for (int i = 1; i <= 100; i++) {
            p.publish(event("tenant-a", i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> p.journaledEvents() > 0);
        assertThat(p.journaledEvents()).isEqualTo(100);
        assertThat(meters.get("llmproxy.usage.buffer.appends").counter().count()).isEqualTo(1.0);
        p.publish(event("tenant-a", 101));
        await().atMost(Duration.ofSeconds(20)).until(() -> p.journaledEvents() == 101);
        assertThat(meters.get("llmproxy.usage.buffer.appends").counter().count()).isEqualTo(2.0);
    }

    @Test
    void eventsBufferedBeforeAStopAreDeliveredOnceAndInOrderByTheNextProcess() throws Exception {
        int kafkaPort = freePort();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        MeterRegistry before = new SimpleMeterRegistry();
        UsagePublisher first = publisher(bootstrap, before, 1 << 30);
        List<UsageRecorded> sent = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            UsageRecorded e = event(i % 3 == 0 ? "tenant-a" : i % 3 == 1 ? "tenant-b" : null, i);
            sent.add(e);
            first.publish(e);
        }
        // on disk (the events gauge also counts those still in memory)
        await().atMost(Duration.ofSeconds(20)).until(() -> first.journaledEvents() == 300);
        assertThat(gauge(before, "llmproxy.usage.buffer.events")).isEqualTo(300);
        double bytes = gauge(before, "llmproxy.usage.buffer.bytes");
        System.out.printf("[usage-buffer] 300 events on disk: %.0f bytes, %.1f bytes per event%n", bytes, bytes / 300);
        assertThat(bytes / 300).isBetween(400.0, 700.0);
        assertThat(before.get("llmproxy.usage.published").counter().count()).isZero();
        // no broker: metadata is not found within max.block.ms (500 ms), counted, retried later
        await().atMost(Duration.ofSeconds(10)).until(() -> before.get("llmproxy.usage.publish.failures").counter().count() > 0);
        assertThat(gauge(before, "llmproxy.usage.buffer.events")).isEqualTo(300);

        first.destroy();
        publishers.remove(first);
        // the records on disk, without the zeros preallocated after them
        assertThat(JournalFiles.recordBytes(dir)).isEqualTo((long) bytes);

        kafka = new EmbeddedKafkaKraftBroker(1, 3, UsageRecorded.TOPIC);
        kafka.afterPropertiesSet();
        MeterRegistry after = new SimpleMeterRegistry();
        long t0 = System.nanoTime();
        publisher(kafka.getBrokersAsString(), after, 1 << 30);
        await().atMost(Duration.ofSeconds(60)).until(() -> gauge(after, "llmproxy.usage.buffer.events") == 0
                && after.get("llmproxy.usage.published").counter().count() == 300);
        System.out.printf("[usage-buffer] 300 events recovered from disk and acknowledged by Kafka in %d ms%n",
                (System.nanoTime() - t0) / 1_000_000);
        assertThat(after.get("llmproxy.usage.published").counter().count()).isEqualTo(300);

        List<UsageRecorded> received = consumeAll(kafka.getBrokersAsString(), 300);
        assertThat(new HashSet<>(received.stream().map(UsageRecorded::eventId).toList())).hasSize(300);
        assertThat(received.stream().map(UsageRecorded::eventId).toList())
                .containsExactlyInAnyOrderElementsOf(sent.stream().map(UsageRecorded::eventId).toList());
        // events without a tenant (unknown key) have no key, so no partition and no order to keep
        for (String tenant : new String[] {"tenant-a", "tenant-b"}) {
            List<Long> order = received.stream().filter(e -> java.util.Objects.equals(e.tenantId(), tenant))
                    .map(UsageRecorded::promptTokens).toList();
            List<Long> expected = sent.stream().filter(e -> java.util.Objects.equals(e.tenantId(), tenant))
                    .map(UsageRecorded::promptTokens).toList();
            assertThat(order).as("order of %s", tenant).isEqualTo(expected);
        }
    }

    static List<UsageRecorded> consumeAll(String bootstrap, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "restart-test-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<UsageRecorded> out = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(UsageRecorded.TOPIC));
            long deadline = System.currentTimeMillis() + 30_000;
            // read until the expected count, then a little longer to catch any duplicate
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    UsageRecorded e = JSON.readValue(r.value(), UsageRecorded.class);
                    assertThat(r.key()).isEqualTo(e.tenantId());
                    out.add(e);
                });
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + 1_000;
                }
            }
        }
        assertThat(out).hasSize(expected);
        return out;
    }

    @Test
    void idempotenceAcksAllAndAtMostFiveInFlightAreForcedWhateverTheConfigurationSays() {
        Map<String, Object> config = UsageProducerConfig.of(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 10,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1"));
        assertThat(config).containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5)
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    }

    @Test
    void aFullBufferCountsEveryEventItCannotTakeAndKeepsTheOthers() throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();
        long one = UsageJournal.HEADER_BYTES + JSON.writeValueAsBytes(event("tenant-a", 1)).length;
        UsagePublisher p = publisher("127.0.0.1:" + freePort(), meters, 3 * one + 10);
        for (int i = 1; i <= 10; i++) {
            p.publish(event("tenant-a", i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> meters.get("llmproxy.usage.buffer.rejected").counter().count() == 7);
        assertThat(gauge(meters, "llmproxy.usage.buffer.events")).isEqualTo(3);
        assertThat(gauge(meters, "llmproxy.usage.buffer.bytes")).isEqualTo(3 * one);
        assertThat(meters.get("llmproxy.usage.buffer.oldest.age").timeGauge().value(java.util.concurrent.TimeUnit.MILLISECONDS))
                .isGreaterThanOrEqualTo(0);
    }

    @Test
    void anEventPublishedAfterShutdownIsCountedAndLoggedNotLostSilently() throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();
        UsagePublisher p = publisher("127.0.0.1:" + freePort(), meters, 1 << 20);
        p.destroy();
        publishers.remove(p);
        p.publish(event("tenant-a", 1));
        assertThat(meters.get("llmproxy.usage.buffer.rejected").counter().count()).isEqualTo(1);
        assertThat(p.bufferedEvents()).isZero();
    }
}
