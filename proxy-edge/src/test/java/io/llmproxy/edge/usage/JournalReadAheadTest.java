package io.llmproxy.edge.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The journal reads records back {@value JournalSegment#READ_AHEAD_BYTES} bytes at a time (issue #16): records
 * that cross a read's end, records longer than a read, a head in the middle of a read, and a corrupt record
 * after the first read all come back as they were written.
 */
class JournalReadAheadTest {

    private static final int CHUNK = JournalSegment.READ_AHEAD_BYTES;
    private static final int HEADER = JournalSegment.HEADER_BYTES;

    @TempDir
    Path dir;

    /** Payload {@code i} of {@code size} bytes: its number, then a letter repeated (so that each is distinct). */
    static byte[] payload(int i, int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) ('a' + i % 26));
        byte[] n = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, b, 0, Math.min(n.length, size));
        return b;
    }

    static List<byte[]> payloads(int... sizes) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            out.add(payload(i, sizes[i]));
        }
        return out;
    }

    static int[] repeat(int size, int count) {
        int[] s = new int[count];
        Arrays.fill(s, size);
        return s;
    }

    static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of("480-byte events across several reads, peeked 7 at a time", repeat(480, 400), 7),
                Arguments.of("480-byte events, all at once", repeat(480, 400), 1000),
                Arguments.of("one at a time", repeat(480, 300), 1),
                Arguments.of("a record that fills a read exactly", concat(new int[] {CHUNK - HEADER}, repeat(100, 3)), 10),
                Arguments.of("a record one byte longer than a read, between small ones",
                        concat(repeat(100, 3), new int[] {CHUNK - HEADER + 1}, repeat(100, 3)), 10),
                Arguments.of("records longer than a read, back to back", repeat(3 * CHUNK, 3), 2),
                Arguments.of("a header cut by a read's end",
                        concat(new int[] {CHUNK - HEADER - 8}, repeat(50, 4)), 10),
                Arguments.of("a payload cut by a read's end, longer than what is left of the read",
                        concat(repeat(1000, 65), new int[] {CHUNK / 2, 10}), 100));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void everyRecordComesBackAsWrittenInOrder(String layout, int[] sizes, int batch) throws Exception {
        List<byte[]> written = payloads(sizes);
        try (UsageJournal journal = UsageJournal.open(dir, 1L << 30, 1L << 28)) {
            assertThat(journal.append(written, 7)).isEqualTo(written.size());
            List<byte[]> read = new ArrayList<>();
            while (journal.pendingRecords() > 0) {
                List<UsageJournal.Entry> entries = journal.peek(batch);
                assertThat(entries).hasSizeBetween(1, batch);
                assertThat(entries).allSatisfy(e -> assertThat(e.appendedAtMillis()).isEqualTo(7));
                entries.forEach(e -> read.add(e.payload()));
                UsageJournalTest.ackAll(journal, entries); // the next peek starts in the middle of the file
            }
            assertThat(read).hasSize(written.size());
            for (int i = 0; i < written.size(); i++) {
                assertThat(read.get(i)).as("record %d of %d bytes", i, sizes[i]).isEqualTo(written.get(i));
            }
            assertThat(journal.corruptBytes()).isZero();
        }
    }

    @ParameterizedTest(name = "corrupt record {0} of 300")
    @ValueSource(ints = {0, 1, 132, 133, 299})
    void aCorruptRecordAfterAnyReadEndsTheSegmentThereAndTheOnesBeforeItGo(int corrupt) throws Exception {
        int size = 480;
        List<byte[]> written = payloads(repeat(size, 300));
        try (UsageJournal journal = UsageJournal.open(dir, 1L << 30, 1L << 28)) {
            journal.append(written, 1);
            long at = (long) corrupt * (HEADER + size) + HEADER + 5; // a payload byte of that record
            try (FileChannel channel = FileChannel.open(dir.resolve(String.format("%020d.seg", 1)), StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(1);
                channel.read(b, at);
                channel.write(ByteBuffer.wrap(new byte[] {(byte) (b.get(0) ^ 0x01)}), at);
            }
            List<UsageJournal.Entry> read = journal.peek(1000);
            assertThat(read).hasSize(corrupt);
            for (int i = 0; i < corrupt; i++) {
                assertThat(read.get(i).payload()).isEqualTo(written.get(i));
            }
            assertThat(journal.corruptBytes()).isEqualTo((long) (300 - corrupt) * (HEADER + size));
            assertThat(journal.pendingRecords()).isEqualTo(corrupt);
        }
    }
}
