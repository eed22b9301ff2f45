package io.llmproxy.edge.usage;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Drains the usage journal of an edge replica that will not come back (issue #14, ADR 0006): sends
 * every event still in the directory to Kafka with the same idempotent producer and the same order per
 * tenant as an edge would, then exits. No Spring context, no Redis, no database: only the directory
 * and Kafka.
 *
 * <pre>
 * java -cp proxy-edge-*-exec.jar -Dloader.main=io.llmproxy.edge.usage.UsageJournalDrain \
 *      org.springframework.boot.loader.launch.PropertiesLauncher \
 *      --bootstrap 127.0.0.1:9092 [--producer-config kafka.properties] [--timeout-seconds 120] DIR...
 * </pre>
 * ({@code infra/local/drain-journal.sh} wraps it.) Consumers count by {@code eventId}, so an event
 * that Kafka had acknowledged just before the replica died and is sent again here is not counted twice.
 *
 * <p>Exit status: 0 every directory drained; 1 events left (Kafka unreachable within the timeout;
 * they stay on disk, run again); 2 bad arguments (an option without its value, a directory that is
 * not a journal: no {@code checkpoint}, {@code lock} or segment file in it, a producer configuration
 * Kafka's client refuses), or a directory that an edge still holds (its {@code lock} file is locked:
 * that edge drains it itself). A record that is intact but cannot be sent stops the drain there, as it
 * stops an edge (exit 1 at the timeout); it stays on disk.
 */
public final class UsageJournalDrain {

    /** What one directory's drain did: events found on disk at the start, and left when it ended. */
    public record Result(Path dir, long found, long left) {
        public boolean drained() {
            return left == 0;
        }
    }

    private UsageJournalDrain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** @return the exit status (see the class comment); prints one line per directory on stdout */
    static int run(String[] args) {
        Map<String, Object> config = new HashMap<>();
        Duration timeout = Duration.ofSeconds(120);
        List<Path> dirs = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--bootstrap" -> config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, value(args, ++i));
                    case "--producer-config" -> load(Path.of(value(args, ++i)), config);
                    case "--timeout-seconds" -> {
                        String seconds = value(args, ++i);
                        if (!seconds.matches("\\d{1,6}")) {
                            throw new IllegalArgumentException("--timeout-seconds takes a whole number of seconds, not " + seconds);
                        }
                        timeout = Duration.ofSeconds(Long.parseLong(seconds));
                    }
                    default -> {
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        dirs.add(Path.of(args[i]));
                    }
                }
            }
            if (dirs.isEmpty() || !config.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                throw new IllegalArgumentException("need --bootstrap HOST:PORT and at least one journal directory");
            }
            for (Path dir : dirs) {
                if (!Files.isDirectory(dir)) {
                    throw new IllegalArgumentException("not a directory: " + dir);
                }
                if (!isJournal(dir)) {
                    throw new IllegalArgumentException("not an edge usage journal (no checkpoint, lock or *.seg file): " + dir);
                }
            }
        } catch (RuntimeException | IOException e) {
            System.err.println("usage-journal-drain: " + e.getMessage());
            return 2;
        }
        int status = 0;
        for (Path dir : dirs) {
            try {
                Result r = drain(dir, config, timeout);
                System.out.printf("%s: %d events found, %d sent, %d left%n", dir, r.found(), r.found() - r.left(), r.left());
                status = Math.max(status, r.drained() ? 0 : 1);
            } catch (IllegalStateException | java.io.UncheckedIOException | org.apache.kafka.common.KafkaException e) {
                System.err.println("usage-journal-drain: " + dir + ": " + e.getMessage());
                status = 2;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
        return status;
    }

    /**
     * Sends the events in {@code dir} to Kafka and waits, at most {@code timeout}, until Kafka has
     * acknowledged all of them (each acknowledged batch is removed from the journal, as at the edge).
     *
     * @param producer the Kafka producer's configuration ({@code bootstrap.servers} at least); idempotence,
     *                 {@code acks=all} and at most 5 in-flight requests are forced as at the edge
     * @throws IllegalStateException the directory is held by a running edge, or cannot be read
     */
    public static Result drain(Path dir, Map<String, Object> producer, Duration timeout) throws InterruptedException {
        Map<String, Object> config = new HashMap<>(producer);
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        long unbounded = Long.MAX_VALUE / 4;
        // the producer first: a bad configuration (e.g. an unresolvable bootstrap host) fails before the journal is locked
        KafkaProducer<String, String> kafka = new KafkaProducer<>(UsageProducerConfig.of(config),
                new StringSerializer(), new StringSerializer());
        UsageJournal journal;
        try {
            journal = UsageJournal.open(dir, unbounded, UsageProducerConfig.segmentBytes(1L << 30));
        } catch (RuntimeException e) {
            kafka.close(Duration.ZERO);
            throw e;
        }
        long found = journal.pendingRecords();
        UsagePublisher publisher = new UsagePublisher(kafka, JsonMapper.builder().build(), new SimpleMeterRegistry(),
                journal, Clock.systemUTC(), Duration.ofSeconds(5), Duration.ZERO, false, Duration.ZERO);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (publisher.journaledEvents() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long left = publisher.journaledEvents();
        publisher.destroy();
        return new Result(dir, found, left);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length || args[i].isBlank()) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /** A journal holds its checkpoint, its lock or a segment; a directory with none of them is not one (a wrong path). */
    private static boolean isJournal(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .anyMatch(n -> n.equals("checkpoint") || n.equals("lock") || n.endsWith(".seg"));
        }
    }

        private static void load(Path file, Map<String, Object> config) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        p.forEach((k, v) -> config.put(k.toString(), v));
    }
}
