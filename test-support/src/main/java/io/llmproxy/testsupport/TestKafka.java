package io.llmproxy.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A Kafka broker for one test class, from {@link TestServices}: in {@link TestServices.Mode#LOCAL}
 * its own embedded KRaft broker (spring-kafka-test's {@link EmbeddedKafkaKraftBroker}, 1 node),
 * stopped by {@link #close()}; in {@link TestServices.Mode#CONTAINERS} the JVM's shared
 * {@code apache/kafka} container, whose topics are then shared with the other test classes of the JVM
 * (so a test tells its events apart by its own tenants and ids), and {@link #close()} leaves it running.
 *
 * <p>The topics exist when {@link #start(int, String...)} returns, with at least {@code partitions}
 * partitions and replication factor 1.
 */
public final class TestKafka implements AutoCloseable {

    private final EmbeddedKafkaKraftBroker embedded;
    private final String bootstrap;

    private TestKafka(EmbeddedKafkaKraftBroker embedded, String bootstrap) {
        this.embedded = embedded;
        this.bootstrap = bootstrap;
    }

    /**
     * @param partitions partitions of every topic (at least 1)
     * @param topics     topics to create
     * @return a running broker
     * @throws IllegalStateException when the container's topics cannot be created within 60 s
     */
    public static TestKafka start(int partitions, String... topics) {
        if (TestServices.mode() == TestServices.Mode.LOCAL) {
            EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, partitions, topics);
            broker.afterPropertiesSet();
            return new TestKafka(broker, broker.getBrokersAsString());
        }
        String bootstrap = TestServices.kafkaBootstrap();
        ensureTopics(bootstrap, partitions, topics);
        return new TestKafka(null, bootstrap);
    }

    /** @return the bootstrap address, {@code host:port} */
    public String bootstrap() {
        return bootstrap;
    }

    /** Stops the embedded broker; the shared container stays. */
    @Override
    public void close() {
        if (embedded != null) {
            embedded.destroy();
        }
    }

    private static void ensureTopics(String bootstrap, int partitions, String... topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> create = new ArrayList<>();
            List<String> present = new ArrayList<>();
            for (String topic : topics) {
                if (existing.contains(topic)) {
                    present.add(topic);
                } else {
                    create.add(new NewTopic(topic, partitions, (short) 1));
                }
            }
            if (!create.isEmpty()) {
                admin.createTopics(create).all().get(60, TimeUnit.SECONDS);
            }
            if (!present.isEmpty()) {
                Map<String, TopicDescription> described = admin.describeTopics(present).allTopicNames().get(60, TimeUnit.SECONDS);
                for (TopicDescription d : described.values()) {
                    if (d.partitions().size() < partitions) {
                        admin.createPartitions(Map.of(d.name(), NewPartitions.increaseTo(partitions))).all().get(60, TimeUnit.SECONDS);
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topics " + List.of(topics) + " on " + bootstrap + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
