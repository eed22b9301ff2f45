package io.llmproxy.edge.usage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
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
 * file's I/O are {@link JournalSegment}'s, the checkpoint file's {@link JournalCheckpoint}'s; this class
 * holds the directory lock, the queue of segments and the bound.
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
    private final long segmentBytes;
    private final JournalLock lock;
    private final JournalCheckpoint checkpoint;
    private final ArrayDeque<JournalSegment> segments = new ArrayDeque<>();
    private final JournalSyncs syncs = new JournalSyncs();
    private long headOffset;
    private long pendingRecords;
    private long pendingBytes;
    private long headAppendedAt = -1;
    private long corruptBytes;
    private boolean closed;

    private UsageJournal(Path dir, long maxBytes, long segmentBytes, JournalLock lock, JournalCheckpoint checkpoint) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.lock = lock;
        this.checkpoint = checkpoint;
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
            UsageJournal journal = null;
            try {
                journal = new UsageJournal(dir, maxBytes, segmentBytes, lock, JournalCheckpoint.open(dir));
                journal.recover();
                return journal;
            } catch (IOException | RuntimeException e) {
                // release the files and the directory's lock: a retry, or the drain tool, must find it free
                if (journal != null) {
                    journal.close();
                } else {
                    lock.close();
                }
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open usage buffer in " + dir.toAbsolutePath(), e);
        }
    }

    private void recover() throws IOException {
        JournalCheckpoint.Position cp = checkpoint.read();
        segments.addAll(JournalSegment.recoverAll(dir, cp));
        JournalSegment head = segments.peekFirst();
        headOffset = head != null && cp != null && cp.segmentId() == head.id ? Math.min(cp.offset(), head.size) : 0;
        recount();
        if (pendingRecords > 0) {
            log.info("Usage buffer {}: {} unsent usage events ({} bytes) recovered; they are sent before new ones",
                    dir.toAbsolutePath(), pendingRecords, pendingBytes);
        }
    }

    /** Counts the unacknowledged records and bytes again and reads the head's timestamp. */
    private void recount() throws IOException {
        long[] totals = new long[2];
        boolean first = true;
        for (JournalSegment s : segments) {
            s.scan(first ? headOffset : 0, totals);
            first = false;
        }
        pendingRecords = totals[0];
        pendingBytes = totals[1];
        headAppendedAt = readHeadTimestamp();
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
        return append(payloads, nowMillis, true);
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
        return append(payloads, nowMillis, false);
    }

    /**
     * Syncs the records {@link #write} left unsynced; nothing to do when there are none.
     *
     * @return true when there was something to sync
     * @throws IOException when the sync fails (those records may then be lost to a crash of the machine)
     */
    synchronized boolean sync() throws IOException {
        ensureOpen();
        return syncs.syncPending();
    }

    /** @return how many {@code fdatasync}s of segment files this journal made (for tests) */
    synchronized long forces() {
        return syncs.forces();
    }

    /** @return true while records {@link #write} wrote are not yet synced */
    synchronized boolean hasUnsynced() {
        return syncs.pending();
    }

    private int append(List<byte[]> payloads, long nowMillis, boolean sync) throws IOException {
        ensureOpen();
        int accepted = 0;
        long bytes = 0;
        for (byte[] p : payloads) {
            if (pendingBytes + bytes + HEADER_BYTES + p.length > maxBytes) {
                break;
            }
            bytes += HEADER_BYTES + p.length;
            accepted++;
        }
        if (accepted == 0) {
            return 0;
        }
        if (sync) {
            sync(); // what earlier writes left, first: when it fails, nothing of this batch is on disk to cut
        }
        List<JournalSegment> written = new ArrayList<>(2);
        List<Long> sizesBefore = new ArrayList<>(2);
        try {
            for (int i = 0; i < accepted; i++) {
                byte[] p = payloads.get(i);
                JournalSegment tail = segments.peekLast();
                if (tail == null || tail.size >= segmentBytes) {
                    tail = roll();
                }
                if (!written.contains(tail)) {
                    written.add(tail);
                    sizesBefore.add(tail.size);
                }
                tail.append(p, nowMillis, segmentBytes);
            }
            for (JournalSegment s : written) {
                if (sync) {
                    syncs.force(s);
                } else {
                    syncs.written(s);
                }
            }
        } catch (IOException e) {
            // none of this batch counts: cut what was written of it, so that nothing of it is ever sent
            for (int i = 0; i < written.size(); i++) {
                JournalSegment s = written.get(i);
                try {
                    s.truncate(sizesBefore.get(i));
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        if (pendingRecords == 0) {
            headAppendedAt = nowMillis;
        }
        pendingRecords += accepted;
        pendingBytes += bytes;
        return accepted;
    }

    private JournalSegment roll() throws IOException {
        JournalSegment last = segments.peekLast();
        JournalSegment s = JournalSegment.create(dir, last == null ? 1 : last.id + 1);
        if (last != null && segments.size() == 1 && last.size == headOffset) {
            // everything in the old segment is acknowledged: drop it now
            segments.removeFirst();
            syncs.deleted(last);
            last.delete();
            headOffset = 0;
            segments.add(s);
            writeCheckpoint();
            return s;
        }
        segments.add(s);
        return s;
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
        ensureOpen();
        List<Entry> out = new ArrayList<>(Math.min(max, 1024));
        boolean first = true;
        for (Iterator<JournalSegment> it = segments.iterator(); it.hasNext() && out.size() < max; ) {
            JournalSegment s = it.next();
            long pos = first ? headOffset : 0;
            first = false;
            while (pos < s.size && out.size() < max) {
                Entry entry = s.read(pos);
                if (entry == null) {
                    cutCorrupt(s, pos);
                    break;
                }
                pos = entry.endOffset();
                out.add(entry);
            }
        }
        return out;
    }

    private void cutCorrupt(JournalSegment s, long pos) throws IOException {
        long lost = s.size - pos;
        corruptBytes += lost;
        log.error("Usage buffer segment {} is corrupt at offset {}: its last {} bytes (about {} usage events) are cut off "
                + "and cannot be sent", s.path, pos, lost, Math.max(1, lost / 480));
        s.cut(pos);
        recount();
    }

    /** @return bytes of records cut off because they failed their CRC while the journal was open */
    synchronized long corruptBytes() {
        return corruptBytes;
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
        ensureOpen();
        while (!segments.isEmpty() && segments.peekFirst().id < last.segmentId()) {
            JournalSegment gone = segments.removeFirst();
            syncs.deleted(gone);
            gone.delete();
        }
        headOffset = last.endOffset();
        JournalSegment head = segments.peekFirst();
        if (head != null && headOffset >= head.size && segments.size() > 1) {
            segments.removeFirst();
            syncs.deleted(head);
            head.delete();
            headOffset = 0;
        }
        pendingRecords -= count;
        pendingBytes -= bytes;
        writeCheckpoint();
        headAppendedAt = readHeadTimestamp();
    }

    private long readHeadTimestamp() throws IOException {
        boolean first = true;
        for (JournalSegment s : segments) {
            long pos = first ? headOffset : 0;
            first = false;
            if (pos + HEADER_BYTES <= s.size) {
                return s.timestampAt(pos);
            }
        }
        return -1;
    }

    private void writeCheckpoint() throws IOException {
        JournalSegment head = segments.peekFirst();
        checkpoint.write(head == null ? 0 : head.id, headOffset);
    }

    /** @return unacknowledged records */
    synchronized long pendingRecords() {
        return pendingRecords;
    }

    /** @return bytes of unacknowledged records, headers included */
    synchronized long pendingBytes() {
        return pendingBytes;
    }

    /** @return append time (epoch ms) of the oldest unacknowledged record, or -1 when there is none */
    synchronized long oldestAppendedAtMillis() {
        return headAppendedAt;
    }

    long maxBytes() {
        return maxBytes;
    }

    Path dir() {
        return dir;
    }

    /** @return the segment files currently on disk (for tests and diagnostics) */
    synchronized int segmentCount() {
        return segments.size();
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("usage buffer " + dir.toAbsolutePath() + " is closed");
        }
    }

    /** Syncs what {@link #write} left unsynced, then releases the files and the lock. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            sync();
        } catch (IOException e) {
            log.error("Usage buffer {}: the last written usage events could not be synced: {}", dir.toAbsolutePath(), e.toString());
        }
        closed = true;
        for (JournalSegment s : segments) {
            try {
                s.channel.close();
            } catch (IOException e) {
                log.warn("closing {}: {}", s.path, e.getMessage());
            }
        }
        try {
            checkpoint.close();
            lock.close();
        } catch (IOException e) {
            log.warn("closing usage buffer {}: {}", dir, e.getMessage());
        }
    }
}
