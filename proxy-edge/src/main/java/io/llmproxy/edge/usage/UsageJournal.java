package io.llmproxy.edge.usage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's durable buffer of usage events: a FIFO of byte records on local disk, written ahead
 * of every Kafka send and removed (acknowledged) once Kafka has acknowledged them (ADR 0006).
 *
 * <p>Layout of {@code dir}: append-only segment files {@code <20-digit id>.seg}, a
 * {@code checkpoint} file (20 bytes: segment id, byte offset of the first unacknowledged
 * record, CRC32C) and a {@code lock} file held with an OS file lock while the journal is open
 * (a second edge on the same directory fails at start). A record is
 * {@code [int payload length][int CRC32C of the next 8 + length bytes][long appended-at epoch ms][payload]},
 * big-endian, so {@value #HEADER_BYTES} bytes of overhead per event.
 *
 * <p>Durability: {@link #append} writes a batch and calls {@code fsync} once (group commit)
 * before it returns; a new segment's directory entry is synced too. {@link #write} writes a batch
 * without the {@code fsync} (the operating system then holds it: it survives a crash of this process,
 * not of the machine) and {@link #sync} syncs what such writes left, as does the next {@link #append}
 * and {@link #close}. On {@link #open} a torn or
 * corrupt tail (crash mid-write) is truncated at the last whole record; records before the
 * checkpoint are skipped. A crash between a Kafka acknowledgement and {@link #ack} re-sends
 * those records after restart (at-least-once; consumers are idempotent by event id).
 *
 * <p>Bound: at most {@code maxBytes} of unacknowledged records (headers included); {@link #append}
 * accepts a prefix of a batch and reports how many it took, the caller decides what happens to
 * the rest. Disk use is at most {@code maxBytes} plus one segment of acknowledged records.
 *
 * <p>Thread-safe (every method is synchronized): one thread appends, another peeks and acks.
 * Every method does file I/O: never call it on a Netty event loop. The record format and one segment
 * file's I/O are {@link JournalSegment}'s, the checkpoint file's {@link JournalCheckpoint}'s, the queue of
 * segments and the bound {@link JournalQueue}'s; this class holds the directory lock and the monitor.
 */
final class UsageJournal implements AutoCloseable {

    /** Bytes per record before its payload. */
    static final int HEADER_BYTES = JournalSegment.HEADER_BYTES;
    private static final Logger log = LoggerFactory.getLogger(UsageJournal.class);

    /** One record read from the journal: its payload and where it ends (for {@link #ack}). */
    record Entry(byte[] payload, long appendedAtMillis, long segmentId, long endOffset) {
        long bytes() {
            return HEADER_BYTES + payload.length;
        }
    }

    private final Path dir;
    private final long maxBytes;
    private final JournalLock lock;
    private final JournalQueue queue;
    private boolean closed;

    private UsageJournal(Path dir, long maxBytes, JournalLock lock, JournalQueue queue) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.lock = lock;
        this.queue = queue;
    }

    /**
     * Opens (creating if needed) the journal in {@code dir} and recovers what an earlier process
     * left there.
     *
     * @param maxBytes     most bytes of unacknowledged records (headers included)
     * @param segmentBytes size at which a new segment file is started
     * @throws IllegalStateException when another process (or another open journal) holds the directory
     * @throws UncheckedIOException  when the directory cannot be created or read (the files it opened and the
     *                               directory's lock are then released again)
     */
    static UsageJournal open(Path dir, long maxBytes, long segmentBytes) {
        if (maxBytes < HEADER_BYTES + 1 || segmentBytes < 1) {
            throw new IllegalArgumentException("usage buffer max bytes must be > " + HEADER_BYTES + " and segment bytes > 0");
        }
        try {
            Files.createDirectories(dir);
            JournalLock lock = JournalLock.acquire(dir);
            JournalQueue queue = null;
            try {
                queue = new JournalQueue(dir, maxBytes, segmentBytes, JournalCheckpoint.open(dir));
                queue.recover();
                return new UsageJournal(dir, maxBytes, lock, queue);
            } catch (IOException | RuntimeException e) {
                // release the files and the directory's lock: a retry, or the drain tool, must find it free
                if (queue != null) {
                    queue.close();
                }
                try {
                    lock.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open usage buffer in " + dir.toAbsolutePath(), e);
        }
    }

    /**
     * Appends records in order and syncs them to disk once.
     *
     * @param payloads records to append (each non-empty)
     * @param nowMillis append time stored with each record (epoch ms), for the oldest-age metric
     * @return how many of {@code payloads}, from the first, were appended; fewer than all when
     *         the next one would exceed {@code maxBytes} of unacknowledged records
     * @throws IOException when the disk write or sync fails (nothing of this call is then counted)
     */
    synchronized int append(List<byte[]> payloads, long nowMillis) throws IOException {
        return queue.append(payloads, nowMillis, true);
    }

    /**
     * Appends records in order without syncing them: the operating system holds them (a crash of this
     * process loses none, a crash of the machine may lose those not yet synced). {@link #sync}, the next
     * {@link #append} or {@link #close} syncs them.
     *
     * @return how many of {@code payloads}, from the first, were appended (as {@link #append})
     * @throws IOException when the disk write fails (nothing of this call is then counted)
     */
    synchronized int write(List<byte[]> payloads, long nowMillis) throws IOException {
        return queue.append(payloads, nowMillis, false);
    }

    /**
     * Syncs the records {@link #write} left unsynced; nothing to do when there are none.
     *
     * @return true when there was something to sync
     * @throws IOException when the sync fails (those records may then be lost to a crash of the machine)
     */
    synchronized boolean sync() throws IOException {
        return queue.syncPending();
    }

    /** @return how many {@code fdatasync}s of segment files this journal made (for tests) */
    synchronized long forces() {
        return queue.forces();
    }

    /** @return true while records {@link #write} wrote are not yet synced */
    synchronized boolean hasUnsynced() {
        return queue.hasUnsynced();
    }

    /**
     * @param max most records to return
     * @return up to {@code max} unacknowledged records from the head, oldest first (empty when none)
     * A record that fails its CRC (the disk corrupted it after it was synced) ends its segment:
     * the rest of that segment is cut off, logged at ERROR and counted in {@link #corruptBytes},
     * and reading goes on with the next segment (the same cut a restart would make), so one bad
     * sector never blocks the events behind it.
     *
     * @throws IOException when a segment cannot be read
     */
    synchronized List<Entry> peek(int max) throws IOException {
        return queue.peek(max);
    }

    /** @return bytes of records cut off because they failed their CRC while the journal was open */
    synchronized long corruptBytes() {
        return queue.corruptBytes();
    }

    /**
     * Removes every record up to and including {@code last} (from {@link #peek}), persists the
     * new head in the checkpoint and deletes segments that hold nothing unacknowledged.
     *
     * @param count how many records {@code last} ends, counted from the head
     * @param bytes their total size, headers included
     * @throws IOException when the checkpoint cannot be written
     */
    synchronized void ack(Entry last, int count, long bytes) throws IOException {
        queue.ack(last, count, bytes);
    }

    /** @return unacknowledged records */
    synchronized long pendingRecords() {
        return queue.pendingRecords();
    }

    /** @return bytes of unacknowledged records, headers included */
    synchronized long pendingBytes() {
        return queue.pendingBytes();
    }

    /** @return append time (epoch ms) of the oldest unacknowledged record, or -1 when there is none */
    synchronized long oldestAppendedAtMillis() {
        return queue.oldestAppendedAtMillis();
    }

    long maxBytes() {
        return maxBytes;
    }

    Path dir() {
        return dir;
    }

    /** @return the segment files currently on disk (for tests and diagnostics) */
    synchronized int segmentCount() {
        return queue.segmentCount();
    }

    /** Syncs what {@link #write} left unsynced, then releases the files and the lock. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.close();
        try {
            lock.close();
        } catch (IOException e) {
            log.warn("closing usage buffer {}: {}", dir, e.getMessage());
        }
    }
}
