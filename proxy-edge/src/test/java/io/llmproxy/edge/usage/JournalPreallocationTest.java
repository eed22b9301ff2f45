package io.llmproxy.edge.usage;

import static io.llmproxy.edge.usage.UsageJournalTest.events;
import static io.llmproxy.edge.usage.UsageJournalTest.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment files are extended with zeros ahead of their records (issue #16: the sync after a batch then
 * has no file size to write): how big the files get, and what a restart keeps of a zero tail, of a torn
 * write in it, and of records spread over several extensions.
 */
class JournalPreallocationTest {

    private static final int MIB = JournalSegment.PREALLOCATE_BYTES;

    @TempDir
    Path dir;

    private Path segment(long id) {
        return JournalSegment.path(dir, id);
    }

    @Test
    void aSegmentIsExtendedAMebibyteAheadAndARestartKeepsItsZerosAndItsRecords() throws Exception {
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 30, 16L * MIB)) {
            journal.append(events(0, 3), 1);
            assertThat(Files.size(segment(1))).isEqualTo(MIB);
            assertThat(JournalFiles.recordsEnd(segment(1))).isEqualTo(3 * (16 + 16));
        }
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 30, 16L * MIB)) {
            assertThat(Files.size(segment(1))).as("the zero tail is kept").isEqualTo(MIB);
            assertThat(journal.pendingRecords()).isEqualTo(3);
            journal.append(events(3, 5), 2);
            assertThat(Files.size(segment(1))).isEqualTo(MIB);
        }
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 30, 16L * MIB)) {
            assertThat(text(journal.peek(10))).containsExactly("{\"eventId\":\"e0\"}", "{\"eventId\":\"e1\"}",
                    "{\"eventId\":\"e2\"}", "{\"eventId\":\"e3\"}", "{\"eventId\":\"e4\"}");
            assertThat(journal.corruptBytes()).isZero();
        }
    }

    @Test
    void recordsOverSeveralExtensionsReadBackInOrderAfterARestart() throws Exception {
        List<byte[]> big = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] payload = new byte[300 * 1024];
            Arrays.fill(payload, (byte) ('a' + i));
            big.add(payload);
        }
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 30, 16L * MIB)) {
            for (byte[] payload : big) {
                journal.append(List.of(payload), 1); // one sync each, as under load
            }
        }
        long records = 8 * (16 + 300 * 1024);
        assertThat(JournalFiles.recordsEnd(segment(1))).isEqualTo(records);
        assertThat(Files.size(segment(1))).isEqualTo(3L * MIB);
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 30, 16L * MIB)) {
            List<UsageJournal.Entry> back = journal.peek(10);
            assertThat(back).hasSize(8);
            for (int i = 0; i < 8; i++) {
                assertThat(back.get(i).payload()).as("record %d", i).isEqualTo(big.get(i));
            }
        }
    }

    @Test
    void aSmallSegmentGrowsOnlyToItsLimitOrItsLastRecord() throws Exception {
        // 32-byte records, a 100-byte limit: 4 records a segment, the fourth passing the limit
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 20, 100)) {
            journal.append(events(0, 6), 1);
            assertThat(journal.segmentCount()).isEqualTo(2);
        }
        assertThat(Files.size(segment(1))).isEqualTo(128);
        assertThat(Files.size(segment(2))).isEqualTo(100);
        assertThat(JournalFiles.recordsEnd(segment(2))).isEqualTo(64);
    }

    @Test
    void aTornWriteInTheZeroTailIsCutWithTheTailAndTheWholeRecordsStay() throws Exception {
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 30, 16L * MIB)) {
            journal.append(events(0, 2), 1);
        }
        long whole = JournalFiles.recordsEnd(segment(1));
        // bytes that reached the disk further on than the last whole record (written out of order)
        try (FileChannel channel = FileChannel.open(segment(1), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap("garbage".getBytes(StandardCharsets.UTF_8)), whole + 4096);
        }
        try (UsageJournal journal = UsageJournal.open(dir, 1 << 30, 16L * MIB)) {
            assertThat(Files.size(segment(1))).isEqualTo(whole);
            assertThat(journal.pendingRecords()).isEqualTo(2);
            journal.append(events(2, 3), 2);
            assertThat(Files.size(segment(1))).as("extended again, a mebibyte from its end").isEqualTo(whole + MIB);
            assertThat(text(journal.peek(10))).containsExactly("{\"eventId\":\"e0\"}", "{\"eventId\":\"e1\"}",
                    "{\"eventId\":\"e2\"}");
        }
    }
}
