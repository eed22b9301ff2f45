package io.llmproxy.edge.usage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link UsageJournal}'s queue of segment files and its bound: where the head (the first unacknowledged
 * record) is, how many records and bytes are unacknowledged, batch appends and their rollback, reads, acks and
 * recovery. Not thread-safe: {@link UsageJournal} calls it under its monitor, and documents each operation.
 * Every method but the getters does file I/O. Logs by logger {@code io.llmproxy.edge.usage.UsageJournal}.
 */
final class JournalQueue {

    private static final Logger log = LoggerFactory.getLogger(UsageJournal.class);

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final JournalCheckpoint checkpoint;
    private final ArrayDeque<JournalSegment> segments = new ArrayDeque<>();
    private final JournalSyncs syncs = new JournalSyncs();
    private long headOffset;
    private long pendingRecords;
    private long pendingBytes;
    private long headAppendedAt = -1;
    private long corruptBytes;
    private boolean closed;

    /** @param checkpoint the directory's checkpoint file, closed by {@link #close} */
    JournalQueue(Path dir, long maxBytes, long segmentBytes, JournalCheckpoint checkpoint) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.checkpoint = checkpoint;
    }

    /** Reads the checkpoint and the segments an earlier process left, cutting torn tails ({@link UsageJournal#open}). */
    void recover() throws IOException {
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
     * @param sync true: syncs what earlier writes left first, then the batch ({@link UsageJournal#append}); false:
     *             writes the batch only ({@link UsageJournal#write})
     * @return how many of {@code payloads}, from the first, were appended (fewer when the bound is reached)
     * @throws IOException when a write or sync fails: what was written of this batch is cut off again
     */
    int append(List<byte[]> payloads, long nowMillis, boolean sync) throws IOException {
        ensureOpen();
        int accepted = 0;
        long bytes = 0;
        for (byte[] p : payloads) {
            if (pendingBytes + bytes + UsageJournal.HEADER_BYTES + p.length > maxBytes) {
                break;
            }
            bytes += UsageJournal.HEADER_BYTES + p.length;
            accepted++;
        }
        if (accepted == 0) {
            return 0;
        }
        if (sync) {
            syncPending(); // what earlier writes left, first: when it fails, nothing of this batch is on disk to cut
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

    /** @see UsageJournal#peek */
    List<UsageJournal.Entry> peek(int max) throws IOException {
        ensureOpen();
        List<UsageJournal.Entry> out = new ArrayList<>(Math.min(max, 1024));
        boolean first = true;
        for (Iterator<JournalSegment> it = segments.iterator(); it.hasNext() && out.size() < max; ) {
            JournalSegment s = it.next();
            long pos = first ? headOffset : 0;
            first = false;
            long end = s.readInto(pos, max, out);
            if (end < s.size && out.size() < max) {
                cutCorrupt(s, end);
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

    /** @see UsageJournal#ack */
    void ack(UsageJournal.Entry last, int count, long bytes) throws IOException {
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
            if (pos + UsageJournal.HEADER_BYTES <= s.size) {
                return s.timestampAt(pos);
            }
        }
        return -1;
    }

    private void writeCheckpoint() throws IOException {
        JournalSegment head = segments.peekFirst();
        checkpoint.write(head == null ? 0 : head.id, headOffset);
    }

    /** Syncs what unsynced writes left ({@link UsageJournal#sync}); @return true when there was something to sync */
    boolean syncPending() throws IOException {
        ensureOpen();
        return syncs.syncPending();
    }

    long forces() {
        return syncs.forces();
    }

    boolean hasUnsynced() {
        return syncs.pending();
    }

    long corruptBytes() {
        return corruptBytes;
    }

    long pendingRecords() {
        return pendingRecords;
    }

    long pendingBytes() {
        return pendingBytes;
    }

    long oldestAppendedAtMillis() {
        return headAppendedAt;
    }

    int segmentCount() {
        return segments.size();
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("usage buffer " + dir.toAbsolutePath() + " is closed");
        }
    }

    /** Syncs what unsynced writes left (a failure is logged at ERROR), then closes the segment files and the checkpoint. */
    void close() {
        if (closed) {
            return;
        }
        try {
            syncs.syncPending();
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
        } catch (IOException e) {
            log.warn("closing usage buffer {}: {}", dir, e.getMessage());
        }
    }
}
