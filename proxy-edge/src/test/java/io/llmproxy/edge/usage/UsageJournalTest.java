package io.llmproxy.edge.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable buffer on a real file system: order, acknowledgement, restart, torn tail, bound, lock. */
class UsageJournalTest {

    @TempDir
    Path dir;

    static List<byte[]> events(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> ("{\"eventId\":\"e" + i + "\"}").getBytes(StandardCharsets.UTF_8)).toList();
    }

    static List<String> text(List<UsageJournal.Entry> entries) {
        return entries.stream().map(e -> new String(e.payload(), StandardCharsets.UTF_8)).toList();
    }

    static void ackAll(UsageJournal journal, List<UsageJournal.Entry> entries) throws Exception {
        journal.ack(entries.get(entries.size() - 1), entries.size(), entries.stream().mapToLong(UsageJournal.Entry::bytes).sum());
    }

    @Test
    void recordsComeBackInOrderAcrossSegmentsAndAcknowledgedSegmentsAreDeleted() throws Exception {
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 20, 100)) {
            assertThat(journal.append(events(0, 10), 1_000)).isEqualTo(10);
            // "{"eventId":"e0"}" is 16 bytes + 16 bytes of header; a segment rolls once it holds ≥ 100 bytes
            assertThat(journal.pendingRecords()).isEqualTo(10);
            assertThat(journal.pendingBytes()).isEqualTo(10 * 32);
            assertThat(journal.segmentCount()).isEqualTo(3);
            assertThat(journal.oldestAppendedAtMillis()).isEqualTo(1_000);

            List<UsageJournal.Entry> first = journal.peek(6);
            assertThat(text(first)).containsExactly("{\"eventId\":\"e0\"}", "{\"eventId\":\"e1\"}", "{\"eventId\":\"e2\"}",
                    "{\"eventId\":\"e3\"}", "{\"eventId\":\"e4\"}", "{\"eventId\":\"e5\"}");
            assertThat(journal.peek(6)).hasSize(6); // peek does not consume
            ackAll(journal, first);
            assertThat(journal.pendingRecords()).isEqualTo(4);
            assertThat(journal.pendingBytes()).isEqualTo(4 * 32);
            assertThat(journal.segmentCount()).isEqualTo(2);

            journal.append(events(10, 11), 2_000);
            List<UsageJournal.Entry> rest = journal.peek(100);
            assertThat(text(rest)).containsExactly("{\"eventId\":\"e6\"}", "{\"eventId\":\"e7\"}", "{\"eventId\":\"e8\"}",
                    "{\"eventId\":\"e9\"}", "{\"eventId\":\"e10\"}");
            ackAll(journal, rest);
            assertThat(journal.pendingRecords()).isZero();
            assertThat(journal.pendingBytes()).isZero();
            assertThat(journal.oldestAppendedAtMillis()).isEqualTo(-1);
            assertThat(journal.peek(10)).isEmpty();
            assertThat(journal.segmentCount()).isEqualTo(1);
        }
    }

    @Test
    void writtenRecordsAreReadableAtOnceAndSyncedBySyncTheNextAppendOrClose() throws Exception {
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 20, 100)) {
            assertThat(journal.write(events(0, 5), 1_000)).isEqualTo(5);
            assertThat(journal.hasUnsynced()).isTrue();
            assertThat(text(journal.peek(10))).hasSize(5).first().isEqualTo("{\"eventId\":\"e0\"}");
            assertThat(journal.sync()).isTrue();
            assertThat(journal.hasUnsynced()).isFalse();
            assertThat(journal.sync()).isFalse();

            // a write then an append into the same segment: the append syncs what the write left, then its own record
            assertThat(journal.segmentCount()).isEqualTo(2);
            long forces = journal.forces();
            journal.write(events(5, 7), 1_000);
            assertThat(journal.segmentCount()).isEqualTo(2);
            assertThat(journal.forces()).isEqualTo(forces);
            assertThat(journal.hasUnsynced()).isTrue();
            journal.append(events(7, 8), 1_000);
            assertThat(journal.segmentCount()).isEqualTo(2);
            assertThat(journal.forces()).isEqualTo(forces + 2);
            assertThat(journal.hasUnsynced()).isFalse();

            // unsynced segments that acknowledgement deletes are not synced any more (their channels are closed)
            journal.write(events(8, 14), 2_000);
            ackAll(journal, journal.peek(100));
            assertThat(journal.segmentCount()).isEqualTo(1);
            assertThat(journal.hasUnsynced()).isTrue();
            assertThat(journal.sync()).isTrue();

            journal.write(events(14, 15), 3_000);
        }
        try (UsageJournal reopened = UsageJournal.open(dir, 1 << 20, 100)) {
            assertThat(text(reopened.peek(10))).containsExactly("{\"eventId\":\"e14\"}");
            assertThat(reopened.hasUnsynced()).isFalse();
        }
    }

    @Test
    void aRestartSendsWhatWasNotAcknowledgedAndNothingThatWas() throws Exception {
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 20, 100)) {
            journal.append(events(0, 7), 5_000);
            ackAll(journal, journal.peek(4));
        }
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 20, 100)) {
            assertThat(journal.pendingRecords()).isEqualTo(3);
            assertThat(journal.oldestAppendedAtMillis()).isEqualTo(5_000);
            assertThat(text(journal.peek(10))).containsExactly("{\"eventId\":\"e4\"}", "{\"eventId\":\"e5\"}", "{\"eventId\":\"e6\"}");
            journal.append(events(7, 8), 6_000);
            assertThat(text(journal.peek(10))).containsExactly("{\"eventId\":\"e4\"}", "{\"eventId\":\"e5\"}", "{\"eventId\":\"e6\"}",
                    "{\"eventId\":\"e7\"}");
        }
    }

    @Test
    void aTornLastRecordIsCutOffAtRestartAndTheWholeOnesSurvive() throws Exception {
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 20, 1 << 20)) {
            journal.append(events(0, 3), 1);
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        long whole = JournalFiles.recordsEnd(segment);
        assertThat(Files.size(segment)).as("preallocated").isGreaterThan(whole);
        // a crash in the middle of the next record: its header and half its payload, where it was being written
        byte[] torn = new byte[] {0, 0, 0, 16, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 9, '{', '"'};
        try (var channel = java.nio.channels.FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(torn), whole);
        }
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 20, 1 << 20)) {
            // cut at the last whole record: the torn bytes and the preallocation after them
            assertThat(Files.size(segment)).isEqualTo(whole);
            assertThat(journal.pendingRecords()).isEqualTo(3);
            journal.append(events(3, 4), 2);
            assertThat(text(journal.peek(10))).containsExactly("{\"eventId\":\"e0\"}", "{\"eventId\":\"e1\"}", "{\"eventId\":\"e2\"}",
                    "{\"eventId\":\"e3\"}");
        }
    }

    @Test
    void aFullBufferTakesOnlyWhatFitsAndTakesMoreOnceKafkaAcknowledges() throws Exception {
        try (UsageJournal journal = UsageJournal.open(dir, 100, 1 << 20)) {
            // 32 bytes per record: 3 fit in 100
            assertThat(journal.append(events(0, 5), 1)).isEqualTo(3);
            assertThat(journal.append(events(3, 5), 1)).isZero();
            ackAll(journal, journal.peek(2));
            assertThat(journal.append(events(3, 5), 1)).isEqualTo(2);
            assertThat(text(journal.peek(10))).containsExactly("{\"eventId\":\"e2\"}", "{\"eventId\":\"e3\"}", "{\"eventId\":\"e4\"}");
        }
    }

    @Test
    void aSecondJournalOnTheSameDirectoryIsRefused() {
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 20, 1 << 20)) {
            assertThatThrownBy(() -> UsageJournal.open(dir, 1 << 20, 1 << 20))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is in use by another edge process");
        }
        UsageJournal.open(dir, 1 << 20, 1 << 20).close(); // released on close
    }

    @Test
    void anUnreadableCheckpointSendsFromTheOldestSegmentAgainNeverLess() throws Exception {
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 20, 1 << 20)) {
            journal.append(events(0, 3), 1);
            ackAll(journal, journal.peek(1));
        }
        byte[] cp = Files.readAllBytes(dir.resolve("checkpoint"));
        cp[3] ^= 0x55;
        Files.write(dir.resolve("checkpoint"), cp);
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 20, 1 << 20)) {
            List<String> again = new ArrayList<>(text(journal.peek(10)));
            assertThat(again).containsExactly("{\"eventId\":\"e0\"}", "{\"eventId\":\"e1\"}", "{\"eventId\":\"e2\"}");
        }
    }

    @Test
    void aRecordTheDiskCorruptedEndsItsSegmentAndTheEventsBehindItStillGo() throws Exception {
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 20, 100)) {
            journal.append(events(0, 6), 1); // segment 1: e0..e3 (32 bytes each), segment 2: e4, e5
            Path first = dir.resolve(String.format("%020d.seg", 1));
            byte[] bytes = Files.readAllBytes(first);
            bytes[2 * 32 + 20] ^= 0x01; // a payload byte of e2
            try (var channel = java.nio.channels.FileChannel.open(first, StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(bytes), 0);
            }
            List<UsageJournal.Entry> read = journal.peek(10);
            assertThat(text(read)).containsExactly("{\"eventId\":\"e0\"}", "{\"eventId\":\"e1\"}", "{\"eventId\":\"e4\"}",
                    "{\"eventId\":\"e5\"}");
            assertThat(journal.corruptBytes()).isEqualTo(64);
            assertThat(journal.pendingRecords()).isEqualTo(4);
            assertThat(journal.pendingBytes()).isEqualTo(4 * 32);
            assertThat(Files.size(first)).isEqualTo(64);
            ackAll(journal, read);
            assertThat(journal.pendingRecords()).isZero();
            assertThat(journal.segmentCount()).isEqualTo(1);
        }
    }

    @Test
    void aJournalThatFailsToOpenLeavesNoFileOpenAndTheDirectoryFree() throws Exception {
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 20, 1 << 20)) {
            journal.append(events(0, 3), 1_000);
        }
        Path unreadable = JournalSegment.path(dir, 2);
        Files.createDirectory(unreadable); // a segment that cannot be opened: recovery fails after segment 1 opened

        assertThatThrownBy(() -> UsageJournal.open(dir, 1 << 20, 1 << 20)).isInstanceOf(java.io.UncheckedIOException.class);

        Path real = dir.toRealPath();
        assertThat(openFiles()).noneMatch(f -> f.startsWith(real));
        Files.delete(unreadable);
        try (UsageJournal again = UsageJournal.open(dir, 1 << 20, 1 << 20)) { // not "in use by another edge process"
            assertThat(text(again.peek(10))).containsExactly("{\"eventId\":\"e0\"}", "{\"eventId\":\"e1\"}",
                    "{\"eventId\":\"e2\"}");
        }
    }

    /** @return the files this process holds open (Linux: the links in /proc/self/fd) */
    static List<Path> openFiles() throws Exception {
        List<Path> open = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    open.add(Files.readSymbolicLink(fd));
                } catch (java.io.IOException closedMeanwhile) {
                    // the fd of the listing itself, or one closed since
                }
            }
        }
        return open;
    }
}
