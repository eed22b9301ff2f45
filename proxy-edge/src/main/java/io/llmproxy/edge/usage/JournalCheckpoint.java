package io.llmproxy.edge.usage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link UsageJournal}'s {@code checkpoint} file: where the first unacknowledged record is. 20 bytes,
 * big-endian: {@code [long segment id][long byte offset of the record in that segment][int CRC32C of the
 * first 16 bytes]}; segment id 0 when the journal has no segment.
 *
 * <p>Not thread-safe: every call is made under the journal's lock. Logs by logger
 * {@code io.llmproxy.edge.usage.UsageJournal}.
 */
final class JournalCheckpoint implements AutoCloseable {

    private static final int BYTES = 20;
    private static final Logger log = LoggerFactory.getLogger(UsageJournal.class);

    /** Where the first unacknowledged record is: a segment id and a byte offset in that segment. */
    record Position(long segmentId, long offset) {
    }

    private final Path dir;
    private final FileChannel channel;

    private JournalCheckpoint(Path dir, FileChannel channel) {
        this.dir = dir;
        this.channel = channel;
    }

    /** Opens (creating if needed, empty) {@code dir/checkpoint}. */
    static JournalCheckpoint open(Path dir) throws IOException {
        return new JournalCheckpoint(dir, FileChannel.open(dir.resolve("checkpoint"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    /** Overwrites the checkpoint with {@code segmentId} and {@code offset}, then syncs it. */
    void write(long segmentId, long offset) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        b.putLong(segmentId).putLong(offset);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 16);
        b.putInt((int) crc.getValue()).flip();
        while (b.hasRemaining()) {
            channel.write(b, b.position());
        }
        channel.force(false);
    }

    /**
     * @return the stored position, or null when the file is shorter than 20 bytes (new or torn) or fails
     *         its CRC (logged at WARN: the journal then sends from its oldest segment again)
     */
    Position read() throws IOException {
        if (channel.size() < BYTES) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        JournalSegment.readFully(channel, b, 0);
        b.flip();
        long id = b.getLong();
        long offset = b.getLong();
        int stored = b.getInt();
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 16);
        if ((int) crc.getValue() != stored) {
            log.warn("Usage buffer checkpoint in {} is unreadable: sending from the oldest segment again "
                    + "(consumers drop the duplicates by event id)", dir.toAbsolutePath());
            return null;
        }
        return new Position(id, offset);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
