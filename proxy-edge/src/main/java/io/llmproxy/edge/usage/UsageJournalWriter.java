package io.llmproxy.edge.usage;

import io.llmproxy.edge.usage.UsagePublisher.Receipt;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code usage-journal} thread of {@link UsagePublisher} (ADR 0006): takes published events from
 * a lock-free queue, serializes them, appends them to the {@link UsageJournal} and syncs once per
 * batch (group commit), then completes each awaited event's {@link Receipt}: {@link Receipt#SYNCED}
 * once {@link UsageJournal#append} returned (it syncs), or {@link Receipt#WRITTEN} once
 * {@link UsageJournal#write} returned when answers wait only for the write (see below),
 * {@link Receipt#REJECTED} for an event that
 * did not fit or could not be written (counted in {@code llmproxy.usage.buffer.rejected} and logged
 * at ERROR with its JSON by logger {@code io.llmproxy.edge.usage.UsagePublisher}).
 *
 * <p>After a batch's first event the thread waits up to the linger for more. Once an answer waits for
 * one of the batch's events it waits at most the durable linger, and only while calls come faster than
 * syncs (the previous batch held more than one event): a lone call is written and synced at once, and
 * the events published during that write and sync form the next batch.
 *
 * <p>When answers wait only for the write ({@code syncAwaited} false, ADR 0006 amendment "an answer waits
 * for the write"), a batch an answer waits for is written at once without the {@code fsync} and its
 * receipts complete with {@link Receipt#WRITTEN}; the thread syncs such writes at most one linger after the
 * first of them, and a batch nobody waits for (written after its full linger) is synced with them.
 */
final class UsageJournalWriter {

    private static final int APPEND_BATCH = 1000;
    private static final Logger log = LoggerFactory.getLogger(UsagePublisher.class);

    /** An event waiting for the journal, with its call's W3C {@code traceparent} (null when untraced) and its receipt (null when nobody waits). */
    record Pending(UsageRecorded event, String traceparent, CompletableFuture<Receipt> receipt) {
    }

    private final JsonMapper json;
    private final UsageJournal journal;
    private final Clock clock;
    private final long lingerNanos;
    private final long durableLingerNanos;
    /** Whether an awaited batch is synced before its receipts complete (else written, and synced within the linger). */
    private final boolean syncAwaited;
    private final Counter appends;
    private final Counter rejected;
    private final Runnable appended;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Awaited events in the queue, not yet taken into a batch. */
    private final AtomicInteger awaitedQueued = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean done;
    /** True while the thread waits out the linger of a batch no answer waits for: an awaited event then wakes it. */
    private volatile boolean lingeringUnawaited;

    /**
     * @param linger        how long to wait after a batch's first event for more, while no answer waits (0 = never)
     * @param durableLinger how long to wait for more once an answer waits for one of the batch's events, when the
     *                      previous batch held more than one (0 = never)
     * @param syncAwaited   whether a batch an answer waits for is synced before its receipts complete
     *                      ({@link Receipt#SYNCED}); false: written at once, receipts {@link Receipt#WRITTEN},
     *                      synced at most {@code linger} later (the durable linger is then not used)
     * @param appended run after each batch was appended (wakes the sender)
     */
    UsageJournalWriter(JsonMapper json, UsageJournal journal, Clock clock, Duration linger, Duration durableLinger,
                       boolean syncAwaited, Counter appends, Counter rejected, Runnable appended) {
        this.json = json;
        this.journal = journal;
        this.clock = clock;
        this.lingerNanos = linger.toNanos();
        this.syncAwaited = syncAwaited;
        this.durableLingerNanos = syncAwaited ? Math.min(durableLinger.toNanos(), lingerNanos) : 0;
        this.appends = appends;
        this.rejected = rejected;
        this.appended = appended;
        this.thread = new Thread(this::writeLoop, "usage-journal");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Enqueues; never blocks and does no I/O (until shutdown began: then journals or rejects it itself). */
    void add(Pending pending) {
        queue.add(pending);
        if (pending.receipt() != null) {
            awaitedQueued.incrementAndGet(); // after add: a writer that sees it finds the event
        }
        // the writer idles only when nothing is queued, and waits out a whole linger only while no answer
        // waits: otherwise it will find this one without being woken
        if (queued.incrementAndGet() == 1 || (pending.receipt() != null && lingeringUnawaited)) {
            LockSupport.unpark(thread);
        }
        if (done) {
            rejectOrphans(); // only after shutdown began: the writer thread is gone
        }
    }

    /** @return events published and not yet appended (or rejected) */
    int queued() {
        return queued.get();
    }

    /** @return true once the thread has written its last batch */
    boolean done() {
        return done;
    }

    /** Stops after writing what is queued (at most 30 s), then journals or rejects what came after its last look. */
    void stop() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join(TimeUnit.SECONDS.toMillis(30));
        rejectOrphans();
    }

    /** Events published after the writer thread's last look: into the journal while it is open, else rejected loudly. */
    private synchronized void rejectOrphans() {
        Pending orphan;
        while ((orphan = queue.poll()) != null) {
            queued.decrementAndGet();
            if (orphan.receipt() != null) {
                awaitedQueued.decrementAndGet();
            }
            byte[] payload = TracedPayload.encode(orphan.traceparent(), json.writeValueAsBytes(orphan.event()));
            boolean synced = false;
            try {
                synced = journal.append(List.of(payload), clock.millis()) == 1;
            } catch (IOException | RuntimeException e) {
                // closed or full: rejected below
            }
            if (!synced) {
                reject(payload, "edge shutting down, usage buffer closed or full");
            }
            complete(orphan, synced ? Receipt.SYNCED : Receipt.REJECTED);
        }
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(APPEND_BATCH);
        List<Pending> written = new ArrayList<>(APPEND_BATCH);
        List<byte[]> payloads = new ArrayList<>(APPEND_BATCH);
        int lastBatch = 0;
        long syncDue = 0; // System.nanoTime() by which written, unsynced batches are synced; 0: none
        while (running || !queue.isEmpty()) {
            boolean awaited = poll(batch);
            if (batch.isEmpty()) {
                syncDue = syncIfDue(syncDue);
                // idle: add() (the first event queued) and stop() unpark it, so no timed wake-up while nothing
                // is queued (each costs ~0.1 ms of CPU on a small VM: issue #16); else until the sync is due
                if (!running) {
                    continue; // stopping: the loop's condition decides (stop() may have taken the queue meanwhile)
                }
                // look again after the sync, with nothing between this look and the park: the park's wake-up is
                // LockSupport's one permit, which anything waiting on a java.util.concurrent lock in between would
                // consume (ADR 0006, amendment of 2026-12-07, third); the journal's monitor does not, but a sync
                // is I/O through the JDK, and this look costs one read
                if (!queue.isEmpty()) {
                    continue;
                }
                if (syncDue == 0) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, syncDue - System.nanoTime());
                }
                continue;
            }
            // group commit: let the calls finishing now join this batch, so one fsync serves them all
            // (a loop: parkNanos may return early, and stop() ends the wait); shorter once an answer waits,
            // and not at all for an answer while calls come slower than syncs
            long durableLinger = lastBatch > 1 ? durableLingerNanos : 0;
            long lingerEnd = System.nanoTime() + (awaited ? durableLinger : lingerNanos);
            if (syncDue != 0 && syncDue - lingerEnd < 0) {
                lingerEnd = syncDue; // this batch, synced when written, also syncs what earlier writes left: on time
            }
            long left;
            while (running && batch.size() < APPEND_BATCH && (left = lingerEnd - System.nanoTime()) > 0) {
                lingeringUnawaited = !awaited;
                if (awaited || awaitedQueued.get() == 0) { // read after the flag's write: an awaited add() is seen or wakes us
                    LockSupport.parkNanos(this, left);
                }
                lingeringUnawaited = false;
                if (poll(batch) && !awaited) {
                    awaited = true;
                    lingerEnd = Math.min(lingerEnd, System.nanoTime() + durableLinger);
                }
            }
            for (Pending e : batch) {
                try {
                    payloads.add(TracedPayload.encode(e.traceparent(), json.writeValueAsBytes(e.event())));
                    written.add(e);
                } catch (RuntimeException failure) {
                    // cannot happen for this record type; if it does, say so loudly and keep the thread alive
                    rejected.increment();
                    log.error("usage event not buffered (not serializable: {}): {}", failure, e);
                    complete(e, Receipt.REJECTED);
                }
            }
            // a batch nobody waits for has had its full linger: synced now, with what earlier writes left
            boolean sync = syncAwaited || !awaited;
            int accepted;
            try {
                appends.increment(); // before: whoever sees the events in the journal sees them counted
                accepted = sync ? journal.append(payloads, clock.millis()) : journal.write(payloads, clock.millis());
                if (sync) {
                    syncDue = 0;
                } else if (syncDue == 0) {
                    syncDue = System.nanoTime() + lingerNanos;
                }
            } catch (IOException | RuntimeException e) {
                log.error("Usage buffer {} cannot be written: {}", journal.dir().toAbsolutePath(), e.toString());
                accepted = 0;
            }
            for (int i = accepted; i < payloads.size(); i++) {
                reject(payloads.get(i), "usage buffer full (" + journal.pendingBytes() + " of " + journal.maxBytes()
                        + " bytes) or not writable");
            }
            lastBatch = batch.size();
            queued.addAndGet(-batch.size());
            appended.run();
            Receipt receipt = sync ? Receipt.SYNCED : Receipt.WRITTEN;
            for (int i = 0; i < written.size(); i++) {
                complete(written.get(i), i < accepted ? receipt : Receipt.REJECTED);
            }
            batch.clear();
            written.clear();
            payloads.clear();
            syncDue = syncIfDue(syncDue);
        }
        if (syncDue != 0) {
            syncWritten();
        }
        done = true;
        appended.run();
    }

    /** Moves queued events into the batch (up to its bound); @return true when an answer waits for one of those moved */
    private boolean poll(List<Pending> batch) {
        boolean awaited = false;
        Pending event;
        while (batch.size() < APPEND_BATCH && (event = queue.poll()) != null) {
            batch.add(event);
            if (event.receipt() != null) {
                awaitedQueued.decrementAndGet();
                awaited = true;
            }
        }
        return awaited;
    }

    /** @return {@code syncDue}, or the next deadline once {@link #syncWritten} ran because it had passed (0: synced) */
    private long syncIfDue(long syncDue) {
        return syncDue != 0 && System.nanoTime() - syncDue >= 0 ? syncWritten() : syncDue;
    }

    /**
     * Syncs what {@link UsageJournal#write} left; a failure is logged at ERROR (those events stay in the journal and
     * are sent) and the sync is tried again one linger later.
     *
     * @return the next sync deadline ({@link System#nanoTime()}): 0 when synced
     */
    private long syncWritten() {
        try {
            journal.sync();
            return 0;
        } catch (IOException | RuntimeException e) {
            log.error("Usage buffer {} cannot be synced; usage events written to it may be lost to a crash of the machine: {}",
                    journal.dir().toAbsolutePath(), e.toString());
            return System.nanoTime() + Math.max(lingerNanos, TimeUnit.MILLISECONDS.toNanos(100)) | 1; // never 0
        }
    }

    /** Releases the answer waiting for {@code pending}, if any (its continuation may run on this thread). */
    private static void complete(Pending pending, Receipt receipt) {
        if (pending.receipt() != null) {
            pending.receipt().complete(receipt);
        }
    }

    /** Counts the event and logs it at ERROR with its JSON, to replay by hand. */
    void reject(byte[] payload, String why) {
        rejected.increment();
        log.error("usage event not buffered ({}); its JSON, to replay by hand: {}", why,
                new String(payload, StandardCharsets.UTF_8));
    }
}
