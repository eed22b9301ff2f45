package io.llmproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.LocalPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue #5, "Kafka stopped while the edge serves calls, then restarted: zero usage events lost,
 * zero duplicated". The edge starts with no broker on its Kafka port and serves calls of two
 * tenants (events go to the disk buffer); the broker then starts on that port and the buffer
 * drains; the broker is stopped while the edge serves more calls, then started again. Every call
 * is answered 200 meanwhile; the topic ends up with each event exactly once, each tenant's in
 * the order the calls finished. BlockHound runs: the disk buffer never blocks an event loop.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.edge.snapshot-poll-interval=50ms",
        "spring.kafka.producer.properties.max.block.ms=1000"})
class EdgeKafkaOutageTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String KEY_A = ApiKeys.generate();
    static final String KEY_B = ApiKeys.generate();
    static final Path BUFFER = Path.of("target", "usage-buffer", "outage-" + java.util.UUID.randomUUID());
    static EmbeddedKafkaKraftBroker kafka;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        kafka = new EmbeddedKafkaKraftBroker(1, 3, UsageRecorded.TOPIC);
        kafka.afterPropertiesSet();
        int simulator = SimulatorServer.port();
        String url = ReadModelDatabase.create("llmproxy_edge_kafka_outage_it");
        JdbcTemplate db = ReadModelDatabase.jdbc(url);
        Timestamp t0 = Timestamp.from(Instant.now());
        db.update("INSERT INTO rm_provider VALUES ('p1', 'sim', 'openai', ?, ?, ?, 1)",
                "http://127.0.0.1:" + simulator + "/v1", new SecretCipher(SECRET).encrypt("sk-sim"), t0);
        db.update("INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES ('m', 'm', "
                + "'[{\"providerId\":\"p1\",\"model\":\"sim-gpt-4o-mini\"}]'::jsonb, ?, 2)", t0);
        String key = "INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, "
                + "change_index) VALUES (?, ?, 'k', ?, 'llmp_x', 'ACTIVE', ?, 3)";
        db.update(key, "k-a", "tenant-a", ApiKeys.hash(KEY_A), t0);
        db.update(key, "k-b", "tenant-b", ApiKeys.hash(KEY_B), t0);
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> SECRET);
        registry.add("spring.kafka.bootstrap-servers", kafka::getBrokersAsString);
        registry.add("llmproxy.edge.usage-buffer-dir", BUFFER::toString);
    }

    @AfterAll
    static void destroyKafka() {
        if (kafka != null) {
            kafka.destroy();
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;
    @Autowired
    MeterRegistry meters;
    @Autowired
    io.llmproxy.edge.snapshot.SnapshotStore snapshots;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /**
     * What the topic holds, by "partition/offset": a consumer may read a record twice (after the broker
     * restarts, before it committed its offsets), but a duplicate on the topic has a second offset.
     */
    final java.util.Map<String, UsageRecorded> topic = new java.util.concurrent.ConcurrentSkipListMap<>();
    /** promptTokens of each tenant's calls, in the order the edge answered them. */
    final List<Long> sentA = new ArrayList<>();
    final List<Long> sentB = new ArrayList<>();
    int calls;
    volatile boolean consumerStop;

    /** Call i has a prompt of i words: the simulator counts 3 + (4 + i) prompt tokens, which tells the events apart. */
    void call(int i) throws Exception {
        boolean a = i % 2 == 0;
        String words = String.join(" ", java.util.Collections.nCopies(i, "w"));
        boolean stream = i % 3 == 0;
        HttpResponse<String> response = http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30))
                .uri(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + (a ? KEY_A : KEY_B)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"max_tokens\":3,\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + words + "\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        (a ? sentA : sentB).add(7L + i);
        calls++;
    }

    double buffered() {
        return meters.get("llmproxy.usage.buffer.events").gauge().value();
    }

    Thread consume(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "outage-test");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        Thread t = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
                consumer.subscribe(List.of(UsageRecorded.TOPIC));
                while (!consumerStop) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                        UsageRecorded e = json.readValue(r.value(), UsageRecorded.class);
                        if (r.key().equals(e.tenantId())) {
                            topic.put(String.format("%d/%012d", r.partition(), r.offset()), e);
                        }
                    });
                }
            }
        }, "outage-test-consumer");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** @return the tenant's events in topic order (one tenant = one key = one partition) */
    List<Long> order(String tenant) {
        return topic.values().stream().filter(e -> tenant.equals(e.tenantId())).map(UsageRecorded::promptTokens).toList();
    }

    void assertExactlyOnceInOrder() throws InterruptedException {
        await().atMost(Duration.ofSeconds(30)).until(() -> topic.size() >= calls);
        Thread.sleep(1_000); // a duplicate would arrive right behind
        assertThat(topic).hasSize(calls);
        assertThat(new HashSet<>(topic.values().stream().map(UsageRecorded::eventId).toList())).hasSize(calls);
        assertThat(order("tenant-a")).isEqualTo(sentA);
        assertThat(order("tenant-b")).isEqualTo(sentB);
    }

    void stopKafka() {
        kafka.getCluster().brokers().values().forEach(b -> b.shutdown());
    }

    void startKafka() {
        kafka.getCluster().brokers().values().forEach(b -> b.startup());
    }

    @Test
    void noUsageEventIsLostOrDuplicatedWhileKafkaIsDownAndEachTenantKeepsItsOrder() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.current().changeIndex() >= 3);
        Thread consumer = consume(kafka.getBrokersAsString());
        try {
            // 1. Kafka up: events pass through the buffer
            for (int i = 1; i <= 10; i++) {
                call(i);
            }
            assertExactlyOnceInOrder();
            await().atMost(Duration.ofSeconds(20)).until(() -> buffered() == 0);

            // 2. the broker stops while the edge serves calls: they are answered, their events wait on disk
            stopKafka();
            for (int i = 11; i <= 40; i++) {
                call(i);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> buffered() == 30);
            try (Stream<Path> files = Files.list(BUFFER)) {
                assertThat(files.filter(f -> f.toString().endsWith(".seg")).mapToLong(f -> f.toFile().length()).sum())
                        .isGreaterThanOrEqualTo((long) meters.get("llmproxy.usage.buffer.bytes").gauge().value());
            }
            double bytesPerEvent = meters.get("llmproxy.usage.buffer.bytes").gauge().value() / 30;
            System.out.printf("[usage-buffer] %.0f bytes per buffered event on disk%n", bytesPerEvent);
            await().atMost(Duration.ofSeconds(20)).until(() -> meters.get("llmproxy.usage.buffer.oldest.age").timeGauge()
                    .value(java.util.concurrent.TimeUnit.MILLISECONDS) > 0);
            assertThat(topic).hasSize(10);

            // 3. the broker starts again: the buffer drains, each event once, each tenant in order
            startKafka();
            long t0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(120)).until(() -> buffered() == 0);
            System.out.printf("[usage-buffer] 30 events buffered while the broker was stopped delivered %d ms after it restarted%n",
                    (System.nanoTime() - t0) / 1_000_000);
            assertExactlyOnceInOrder();
            assertThat(meters.get("llmproxy.usage.published").counter().count()).isEqualTo(40);
            assertThat(meters.get("llmproxy.usage.buffer.rejected").counter().count()).isZero();
        } finally {
            consumerStop = true;
            consumer.join(10_000);
        }
    }
}
