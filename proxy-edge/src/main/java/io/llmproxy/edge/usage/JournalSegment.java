package io.llmproxy.edge.usage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.List;
import java.util.stream.Stream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment file of the {@link UsageJournal} and its record format: {@code <20-digit id>.seg} in the
 * journal's directory, append-only, a sequence of records
 * {@code [int payload length][int CRC32C of the next 8 + length bytes][long appended-at epoch ms][payload]},
 * big-endian, so {@value #HEADER_BYTES} bytes before each payload.
 *
 * <p>Holds the open channel and {@link #size}, the end of its last whole record (bytes); the journal
 * moves {@link #size} as it appends and cuts.
 *
 * <p>Preallocation (issue #16): the file is extended with zeros {@value #PREALLOCATE_BYTES} bytes at a
 * time (at most to the segment's size limit, at least to the record's end) ahead of the records, so that
 * the journal's {@code fdatasync} after a batch finds the file's size unchanged and has no metadata to
 * write, except once per extension (measured here with 480-byte records: 36–37 instead of 52–61 µs of
 * CPU and 114–123 instead of 148–213 µs per sync). A zero header ends the records: recovery keeps an
 * all-zero tail (the preallocation) and cuts a tail with anything else in it (a torn write). Not thread-safe: every call is made under the journal's
 * lock. Every method does file I/O. Logs by logger {@code io.llmproxy.edge.usage.UsageJournal}.
 */
final class JournalSegment {

    /** Bytes per record before its payload. */
    static final int HEADER_BYTES = 16;
    /** Bytes {@link #readInto} reads from the file at once. */
    static final int READ_AHEAD_BYTES = 64 * 1024;
    /** Bytes of zeros a file is extended by ahead of its records. */
    static final int PREALLOCATE_BYTES = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();
    private static final Pattern NAME = Pattern.compile("(\\d{20})\\.seg");
    private static final Logger log = LoggerFactory.getLogger(UsageJournal.class);

    final long id;
    final Path path;
    final FileChannel channel;
    /** End of the last whole record (bytes from the file's start). */
    long size;
    /** The file's length: {@link #size} plus the zeros preallocated after it. */
    private long allocated;
    private final ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    /** {@link #readInto}'s buffer, allocated on its first use. */
    private ByteBuffer readAhead;

    private JournalSegment(long id, Path path, FileChannel channel, long size) {
        this.id = id;
        this.path = path;
        this.channel = channel;
        this.size = size;
        this.allocated = size;
    }

    /** @return the path of segment {@code id} in {@code dir} */
    static Path path(Path dir, long id) {
        return dir.resolve(String.format("%020d.seg", id));
    }

    /** @return the segment id in {@code file}'s name, or -1 when it is not a segment file */
    static long idOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Opens the segments in {@code dir} that hold anything at or after the checkpoint, oldest first, each
     * {@linkplain #recover(Path, long) recovered}; deletes the files of the older ones.
     *
     * @param checkpoint where the first unacknowledged record is, or null when unknown (every segment is kept)
     * @throws IOException when a segment cannot be opened, read or repaired (the segments opened before it are
     *                     closed again)
     */
    static ArrayDeque<JournalSegment> recoverAll(Path dir, JournalCheckpoint.Position checkpoint) throws IOException {
        List<Long> ids;
        try (Stream<Path> files = Files.list(dir)) {
            ids = files.map(JournalSegment::idOf).filter(id -> id >= 0).sorted().toList();
        }
        ArrayDeque<JournalSegment> segments = new ArrayDeque<>();
        try {
            for (long id : ids) {
                if (checkpoint != null && id < checkpoint.segmentId()) {
                    Files.delete(path(dir, id));
                } else {
                    segments.add(recover(dir, id));
                }
            }
        } catch (IOException | RuntimeException e) {
            for (JournalSegment s : segments) { // those opened before the failure: no file left open
                try {
                    s.channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return segments;
    }

    /** Opens an existing segment and truncates (and syncs) a torn or corrupt tail after its last whole record. */
    static JournalSegment recover(Path dir, long id) throws IOException {
        Path path = path(dir, id);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long length = channel.size();
        JournalSegment s = new JournalSegment(id, path, channel, length);
        long valid = s.scan(0, null);
        s.size = valid;
        if (valid < length && !s.zerosFrom(valid, length)) {
            log.warn("Usage buffer segment {}: {} bytes after the last whole record truncated (torn write)",
                    path, length - valid);
            s.truncate(valid);
            channel.force(true);
        }
        return s;
    }

    /**
     * Creates the empty segment {@code id} and syncs {@code dir} (where the file system allows it), so
     * that its directory entry survives a crash too.
     *
     * @throws java.nio.file.FileAlreadyExistsException when the file exists
     */
    static JournalSegment create(Path dir, long id) throws IOException {
        Path path = path(dir, id);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            log.debug("directory sync not supported here: {}", e.getMessage());
        }
        return new JournalSegment(id, path, channel, 0);
    }

    /**
     * @param from  where to start (the start of a record)
     * @param totals null, or {records, bytes} to which the whole records found are added (bytes with headers)
     * @return end of the last whole, CRC-valid record in [from, {@link #size})
     */
    long scan(long from, long[] totals) throws IOException {
        long pos = from;
        while (pos + HEADER_BYTES <= size) {
            UsageJournal.Entry entry = read(pos);
            if (entry == null) {
                break;
            }
            pos = entry.endOffset();
            if (totals != null) {
                totals[0]++;
                totals[1] += entry.bytes();
            }
        }
        return pos;
    }

    /**
     * @param pos the start of a record before {@link #size}
     * @return the record there, or null when it runs past {@link #size} or fails its CRC (corrupt)
     * @throws IOException when the file cannot be read (or ends within the header)
     */
    UsageJournal.Entry read(long pos) throws IOException {
        header.clear();
        readFully(header, pos);
        header.flip();
        int length = header.getInt();
        int crc = header.getInt();
        long ts = header.getLong();
        if (length < 0 || pos + HEADER_BYTES + length > size) {
            return null;
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(payload, pos + HEADER_BYTES);
        if (crc(ts, payload.array()) != crc) {
            return null;
        }
        return new UsageJournal.Entry(payload.array(), ts, id, pos + HEADER_BYTES + length);
    }

    /**
     * Adds the whole records from {@code pos} on to {@code out}, in order, until {@code out} holds {@code max}
     * entries or the records end at {@link #size}. Reads {@value #READ_AHEAD_BYTES} bytes of the file at a
     * time and takes the records out of them (issue #16: the usage sender read each record's header and its
     * payload with one {@code pread} each); a record longer than that is read on its own.
     *
     * @param pos the start of a record, at most {@link #size}
     * @return where it stopped: the end of the last record added, which is {@link #size} when the records
     *         ran out, or, when it is before {@link #size} and {@code out} is not full, the start of a corrupt
     *         record (its length runs past {@link #size}, or its CRC does not match)
     * @throws IOException when the file cannot be read
     */
    long readInto(long pos, int max, List<UsageJournal.Entry> out) throws IOException {
        ByteBuffer chunk = readAhead != null ? readAhead : (readAhead = ByteBuffer.allocate(READ_AHEAD_BYTES));
        long chunkStart = pos;
        chunk.clear().limit(0);
        while (pos < size && out.size() < max) {
            int at = (int) (pos - chunkStart);
            if (chunk.limit() - at < HEADER_BYTES) {
                if (at == 0 && chunk.limit() > 0) {
                    return pos; // fewer bytes than a header before size: a torn record
                }
                chunkStart = fill(chunk, pos);
                continue;
            }
            int length = chunk.getInt(at);
            int crc = chunk.getInt(at + 4);
            long ts = chunk.getLong(at + 8);
            if (length < 0 || pos + HEADER_BYTES + length > size) {
                return pos;
            }
            byte[] payload = new byte[length];
            if (at + HEADER_BYTES + length <= chunk.limit()) {
                chunk.get(at + HEADER_BYTES, payload);
            } else if (at > 0 && HEADER_BYTES + length <= chunk.capacity()) {
                chunkStart = fill(chunk, pos); // the record fits in a chunk of its own: read from its start
                continue;
            } else {
                readFully(ByteBuffer.wrap(payload), pos + HEADER_BYTES);
            }
            if (crc(ts, payload) != crc) {
                return pos;
            }
            pos += HEADER_BYTES + length;
            out.add(new UsageJournal.Entry(payload, ts, id, pos));
        }
        return pos;
    }

    /** Fills {@code chunk} from {@code pos}, with at most what lies before {@link #size}; @return {@code pos} */
    private long fill(ByteBuffer chunk, long pos) throws IOException {
        chunk.clear().limit((int) Math.min(chunk.capacity(), size - pos));
        readFully(chunk, pos);
        return pos;
    }

    /** @return the appended-at time (epoch ms) of the record at {@code pos} */
    long timestampAt(long pos) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8);
        readFully(b, pos + 8);
        return b.flip().getLong();
    }

    /**
     * Writes one record at {@link #size} and moves it past the record; does not sync. Extends the file
     * with zeros first when the record would pass its end ({@link #PREALLOCATE_BYTES} at a time, up to
     * {@code limit} bytes unless the record itself goes further).
     *
     * @param limit the segment's size limit (bytes), past which the journal starts a new segment
     */
    void append(byte[] payload, long appendedAtMillis, long limit) throws IOException {
        long end = size + HEADER_BYTES + payload.length;
        if (end > allocated) {
            preallocate(Math.max(end, Math.min(allocated + PREALLOCATE_BYTES, limit)));
        }
        ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + payload.length);
        record.putInt(payload.length).putInt(crc(appendedAtMillis, payload)).putLong(appendedAtMillis).put(payload).flip();
        while (record.hasRemaining()) {
            channel.write(record, size + record.position());
        }
        size += HEADER_BYTES + payload.length;
    }

    /** Cuts the file (and {@link #size}) at {@code pos} and syncs it. */
    void cut(long pos) throws IOException {
        truncate(pos);
        channel.force(true);
    }

    /** Cuts the file (and {@link #size}, and its preallocation) at {@code pos}; does not sync. */
    void truncate(long pos) throws IOException {
        size = pos;
        allocated = pos;
        channel.truncate(pos);
    }

    /** Writes zeros from the file's end to {@code end}; does not sync. */
    private void preallocate(long end) throws IOException {
        long pos = allocated;
        while (pos < end) {
            ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(zeros.capacity(), end - pos));
            while (zeros.hasRemaining()) {
                pos += channel.write(zeros, pos);
            }
        }
        allocated = end;
    }

    /** @return true when every byte in [from, to) is zero */
    private boolean zerosFrom(long from, long to) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        for (long pos = from; pos < to; ) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), to - pos));
            readFully(chunk, pos);
            for (int i = 0; i < chunk.limit(); i++) {
                if (chunk.get(i) != 0) {
                    return false;
                }
            }
            pos += chunk.limit();
        }
        return true;
    }

    /** Closes the file and deletes it. */
    void delete() throws IOException {
        channel.close();
        Files.deleteIfExists(path);
    }

    private static int crc(long ts, byte[] payload) {
        CRC32C crc = new CRC32C();
        ByteBuffer t = ByteBuffer.allocate(8).putLong(ts).flip();
        crc.update(t);
        crc.update(payload, 0, payload.length);
        return (int) crc.getValue();
    }

    private void readFully(ByteBuffer buffer, long position) throws IOException {
        readFully(channel, buffer, position);
    }

    /** Reads until {@code buffer} is full; @throws IOException at the end of the file */
    static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long pos = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, pos);
            if (n < 0) {
                throw new IOException("unexpected end of usage buffer file at " + pos);
            }
            pos += n;
        }
    }
}
