package io.llmproxy.query.audit;

import io.llmproxy.query.web.QueryRejected;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;

/**
 * Per-instance bounds on concurrent heavy audit reads: CSV/NDJSON exports (each holds a database
 * connection for as long as its client reads) and JSON pages (each built in memory). A request waits
 * at most {@link #WAIT_MS} ms for a permit, then gets 503 {@code busy} with {@code Retry-After}.
 * The number of requests is not otherwise bounded once the server runs on virtual threads.
 */
@Component
class AuditReadLimits {

    /** How long a request waits for a free permit before 503. */
    static final long WAIT_MS = 1000;

    private final Semaphore exports;
    private final Semaphore pages;

    AuditReadLimits(AuditReadProperties properties) {
        this.exports = new Semaphore(properties.maxConcurrentExports(), true);
        this.pages = new Semaphore(properties.maxConcurrentPages(), true);
    }

    /** A held permit; {@link #close} returns it. */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * @throws QueryRejected 503 {@code busy} (field {@code format}) when no export permit frees up in time
     */
    Permit export() {
        return acquire(exports, "format", "too many audit exports running on this instance; retry later");
    }

    /**
     * @throws QueryRejected 503 {@code busy} when no page permit frees up in time
     */
    Permit page() {
        return acquire(pages, null, "too many audit pages being read on this instance; retry later");
    }

    private static Permit acquire(Semaphore semaphore, String field, String detail) {
        try {
            if (!semaphore.tryAcquire(WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw QueryRejected.busy(field, detail);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw QueryRejected.busy(field, detail);
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                semaphore.release();
            }
        };
    }
}
