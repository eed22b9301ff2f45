package io.llmproxy.edge.support;

import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.usage.UsageRecorded;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.databind.json.JsonMapper;

/** Reads every usage event the edge publishes, in a background thread, for assertions. */
public final class UsageConsumer implements AutoCloseable {

    private final List<UsageRecorded> events = new CopyOnWriteArrayList<>();
    private final Thread thread;

    public UsageConsumer(String bootstrapServers, JsonMapper json) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "usage-consumer-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        thread = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
                consumer.subscribe(List.of(UsageRecorded.TOPIC));
                while (!Thread.currentThread().isInterrupted()) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> events.add(json.readValue(r.value(), UsageRecorded.class)));
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // closed
            }
        }, "usage-test-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    /** @return the one event matching, waiting up to 20 s for it */
    public UsageRecorded await(Predicate<UsageRecorded> match) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> events.stream().anyMatch(match));
        List<UsageRecorded> found = events.stream().filter(match).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one matching usage event, found " + found);
        }
        return found.get(0);
    }

    /** @return every event read so far, in arrival order */
    public List<UsageRecorded> events() {
        return List.copyOf(events);
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
