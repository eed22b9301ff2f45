package io.llmproxy.edge.usage;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/**
 * A JMH-free microbenchmark of the disk buffer alone (not a test; run by hand):
 * <pre>
 * mvn -q -pl proxy-edge -am test-compile
 * java -cp "proxy-edge/target/test-classes:proxy-edge/target/classes:$(cat cp.txt)" io.llmproxy.edge.usage.UsageJournalBench [dir] [events]
 * </pre>
 * It appends realistic usage events (JSON of {@link UsageRecorded}) in batches of 1, 10, 100 and
 * 1000 with one fsync per batch, as the {@code usage-journal} thread does, then reads and
 * acknowledges them in batches of {@value UsagePublisher#SEND_BATCH}, as the {@code usage-sender}
 * thread does. It prints events/s, µs per fsync'd batch and bytes per event. The figures depend on
 * the disk: fsync on a laptop SSD is ~0.1–2 ms, on network storage 2–10 ms.
 */
public final class UsageJournalBench {

    private UsageJournalBench() {
    }

    public static void main(String[] args) throws Exception {
        Path base = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("usage-journal-bench");
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        JsonMapper json = JsonMapper.builder().build();
        byte[] sample = json.writeValueAsBytes(new UsageRecorded(UUID.randomUUID().toString(), UsageRecorded.SCHEMA_VERSION,
                UUID.randomUUID().toString(), UUID.randomUUID().toString(), "chat.completions", "gpt-4o-mini",
                UUID.randomUUID().toString(), "gpt-4o-mini-2024-07-18", true, 1234, 456, 1690, 842, 200, Outcome.SUCCESS,
                Instant.now(), null, false, UUID.randomUUID().toString(), 128, null, null));
        System.out.printf("event JSON %d bytes, %d bytes per event on disk%n", sample.length, sample.length + UsageJournal.HEADER_BYTES);
        for (int batch : new int[] {1, 10, 100, 1000}) {
            Path dir = base.resolve("batch-" + batch);
            int n = batch == 1 ? Math.min(events, 2_000) : events;
            try (UsageJournal journal = UsageJournal.open(dir, 1L << 32, UsageProducerConfig.segmentBytes(1L << 30))) {
                List<byte[]> payloads = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    payloads.add(sample);
                }
                long t0 = System.nanoTime();
                for (int done = 0; done < n; done += batch) {
                    journal.append(payloads, System.currentTimeMillis());
                }
                long appendNanos = System.nanoTime() - t0;
                long bytes = journal.pendingBytes();
                long t1 = System.nanoTime();
                long drained = 0;
                while (true) {
                    List<UsageJournal.Entry> entries = journal.peek(UsagePublisher.SEND_BATCH);
                    if (entries.isEmpty()) {
                        break;
                    }
                    journal.ack(entries.get(entries.size() - 1), entries.size(),
                            entries.stream().mapToLong(UsageJournal.Entry::bytes).sum());
                    drained += entries.size();
                }
                long drainNanos = System.nanoTime() - t1;
                System.out.printf("batch %4d: append %,9.0f events/s (%,7.1f µs per fsync'd batch), %d bytes per event; "
                                + "read+ack %,10.0f events/s (%d events)%n",
                        batch, n / (appendNanos / 1e9), appendNanos / 1e3 / (n / (double) batch), bytes / n,
                        drained / (drainNanos / 1e9), drained);
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
