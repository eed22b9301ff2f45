package io.llmproxy.edge.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The orphaned-journal drain (issue #14): the journals of two edge replicas that died with Kafka
 * down are sent by the tool, every event once; a second run finds nothing; a journal an edge
 * still holds is refused; Kafka unreachable leaves the events on disk with exit status 1.
 */
class UsageJournalDrainTest {

    @TempDir
    Path root;
    EmbeddedKafkaKraftBroker kafka;

    @AfterEach
    void stop() {
        if (kafka != null) {
            kafka.destroy();
        }
    }

    /** Leaves {@code count} events of {@code tenant} in {@code dir}, as an edge that lost Kafka and then died. */
    static List<String> orphan(Path dir, String tenant, int count) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + UsagePublisherRestartTest.freePort(), ProducerConfig.MAX_BLOCK_MS_CONFIG, 300);
        UsagePublisher edge = new UsagePublisher(new KafkaProducer<>(UsageProducerConfig.of(config), new StringSerializer(),
                new StringSerializer()), UsagePublisherRestartTest.JSON, new SimpleMeterRegistry(),
                UsageJournal.open(dir, 1 << 30, 64 * 1024), Clock.systemUTC(), Duration.ofMillis(100), Duration.ofMillis(1), true, Duration.ZERO);
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            UsageRecorded e = UsagePublisherRestartTest.event(tenant, i);
            ids.add(e.eventId());
            edge.publish(e);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> edge.journaledEvents() == count);
        edge.destroy();
        return ids;
    }

    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int status = UsageJournalDrain.run(args);
            return new Run(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void theJournalsOfDeadReplicasReachKafkaOnceAndASecondRunFindsNothing() throws Exception {
        Path edge1 = root.resolve("edge-1");
        Path edge2 = root.resolve("edge-2");
        List<String> sent = new ArrayList<>(orphan(edge1, "tenant-a", 120));
        sent.addAll(orphan(edge2, "tenant-b", 80));

        // Kafka still down: nothing sent within the timeout, exit 1, the events stay on disk
        Run down = run("--bootstrap", "127.0.0.1:" + UsagePublisherRestartTest.freePort(), "--timeout-seconds", "2",
                edge1.toString());
        assertThat(down.status()).isEqualTo(1);
        assertThat(down.out()).contains(edge1 + ": 120 events found, 0 sent, 120 left");

        kafka = new EmbeddedKafkaKraftBroker(1, 3, UsageRecorded.TOPIC);
        kafka.afterPropertiesSet();
        Run drained = run("--bootstrap", kafka.getBrokersAsString(), edge1.toString(), edge2.toString());
        assertThat(drained.status()).as(drained.err()).isZero();
        assertThat(drained.out()).contains(edge1 + ": 120 events found, 120 sent, 0 left")
                .contains(edge2 + ": 80 events found, 80 sent, 0 left");

        List<UsageRecorded> received = UsagePublisherRestartTest.consumeAll(kafka.getBrokersAsString(), 200);
        assertThat(received.stream().map(UsageRecorded::eventId).toList()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(received.stream().filter(e -> "tenant-a".equals(e.tenantId())).map(UsageRecorded::promptTokens).toList())
                .as("tenant-a's events in the order the edge finished the calls")
                .isEqualTo(java.util.stream.LongStream.rangeClosed(1, 120).boxed().toList());

        Run again = run("--bootstrap", kafka.getBrokersAsString(), edge1.toString(), edge2.toString());
        assertThat(again.status()).isZero();
        assertThat(again.out()).contains(edge1 + ": 0 events found, 0 sent, 0 left")
                .contains(edge2 + ": 0 events found, 0 sent, 0 left");
    }

    @Test
    void aJournalHeldByARunningEdgeOrBadArgumentsAreRefusedWithStatus2() throws Exception {
        Path live = root.resolve("live");
        try (UsageJournal held = UsageJournal.open(live, 1 << 20, 64 * 1024)) {
            Run r = run("--bootstrap", "127.0.0.1:9", live.toString());
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.err()).contains("is in use by another edge process");
            assertThat(held.pendingRecords()).isZero();
        }
        Path missing = root.resolve("missing");
        Path notAJournal = Files.createDirectories(root.resolve("parent-of-journals"));
        Files.writeString(notAJournal.resolve("README"), "edge-1/ and edge-2/ are below");
        record Bad(String[] args, String message) {
        }
        for (Bad bad : List.of(
                new Bad(new String[] {live.toString()}, "need --bootstrap HOST:PORT"),
                new Bad(new String[] {"--bootstrap", "127.0.0.1:9"}, "need --bootstrap HOST:PORT and at least one journal directory"),
                new Bad(new String[] {"--bootstrap", "127.0.0.1:9", missing.toString()}, "not a directory: " + missing),
                new Bad(new String[] {"--bootstrap", "127.0.0.1:9", "--retries", "3", live.toString()}, "unknown option --retries"),
                new Bad(new String[] {live.toString(), "--bootstrap"}, "--bootstrap needs a value"),
                new Bad(new String[] {"--bootstrap", "", live.toString()}, "--bootstrap needs a value"),
                new Bad(new String[] {"--bootstrap", "127.0.0.1:9", "--timeout-seconds", "-1", live.toString()},
                        "--timeout-seconds takes a whole number of seconds, not -1"),
                new Bad(new String[] {"--bootstrap", "127.0.0.1:9", notAJournal.toString()},
                        "not an edge usage journal (no checkpoint, lock or *.seg file): " + notAJournal),
                new Bad(new String[] {"--bootstrap", "no-such-host.invalid:9092", live.toString()}, live.toString()))) {
            Run r = run(bad.args());
            assertThat(r.status()).as(String.join(" ", bad.args())).isEqualTo(2);
            assertThat(r.err()).contains(bad.message());
        }
        assertThat(Files.exists(missing)).as("the tool never creates a directory").isFalse();
        try (var files = Files.list(notAJournal)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).as("nothing written into a wrong directory")
                    .containsExactly("README");
        }
        // the refused producer configuration left the journal unlocked: an edge (here: the test) can open it
        try (UsageJournal reopened = UsageJournal.open(live, 1 << 20, 64 * 1024)) {
            assertThat(reopened.pendingRecords()).isZero();
        }
    }
}
