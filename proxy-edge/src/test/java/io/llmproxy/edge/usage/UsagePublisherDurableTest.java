package io.llmproxy.edge.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.usage.UsagePublisher.Receipt;
import io.llmproxy.kernel.usage.UsageRecorded;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UsagePublisher#publishAwaited}: the receipt an answer waits for (issue #14/#16). Kafka is
 * unreachable, so what the journal holds stays there. The writer's linger is 10 minutes: a receipt
 * that completes within the test proves that an awaited event does not wait for it. The 30 s bounds
 * on {@code get} only keep a broken build from hanging.
 */
class UsagePublisherDurableTest {

    static final Duration LONG_LINGER = Duration.ofMinutes(10);

    @TempDir
    Path dir;
    @RegisterExtension
    final UsagePublishers publishers = new UsagePublishers();

    UsagePublisher publisher(long maxBytes, boolean durableAnswers) throws Exception {
        return publishers.open(dir, maxBytes, LONG_LINGER, durableAnswers, Duration.ZERO);
    }

    static UsageRecorded event(long sequence) {
        return UsagePublisherRestartTest.event("tenant-a", sequence);
    }

    double counter(String name) {
        return publishers.meters.get(name).counter().count();
    }

    @Test
    void anAwaitedEventIsSyncedWithoutTheLingerAndTakesTheLingeringEventsAlong() throws Exception {
        UsagePublisher p = publisher(1 << 20, true);
        UsageRecorded lingering = event(1);
        UsageRecorded awaited = event(2);
        p.publish(lingering);
        CompletableFuture<Receipt> receipt = p.publishAwaited(awaited, null);

        assertThat(receipt.get(30, TimeUnit.SECONDS)).isEqualTo(Receipt.SYNCED);
        assertThat(UsagePublishers.journaledIds(p)).containsExactly(lingering.eventId(), awaited.eventId());
        assertThat(counter("llmproxy.usage.buffer.appends")).isEqualTo(1.0);
        assertThat(counter("llmproxy.usage.buffer.rejected")).isZero();
    }

    @Test
    void theDurableLingerWaitsOnlyWhileCallsComeFasterThanSyncs() throws Exception {
        UsagePublisher p = publishers.open(dir, 1 << 20, LONG_LINGER, true, LONG_LINGER);
        // a lone call: synced at once, whatever the durable linger
        assertThat(p.publishAwaited(event(1), null).get(30, TimeUnit.SECONDS)).isEqualTo(Receipt.SYNCED);
        // a batch of two (a lingering event, then an awaited one that ends the wait: the batch before held one)
        p.publish(event(2));
        assertThat(p.publishAwaited(event(3), null).get(30, TimeUnit.SECONDS)).isEqualTo(Receipt.SYNCED);
        assertThat(p.journaledEvents()).isEqualTo(3);

        // the batch before held two: the next awaited event waits the durable linger (10 minutes) for company
        CompletableFuture<Receipt> waiting = p.publishAwaited(event(4), null);
        assertThat(waiting).isNotDone();
        assertThat(p.journaledEvents()).isEqualTo(3);
        publishers.destroy(p); // ends the wait: written, synced, released
        assertThat(waiting).isCompletedWithValue(Receipt.SYNCED);
        assertThat(counter("llmproxy.usage.buffer.appends")).isEqualTo(3.0);
    }

    @Test
    void anAnswerWaitingForTheWriteHasItAtOnceWithoutAnyLingerAndTheSyncFollows() throws Exception {
        UsagePublisher p = publishers.open(dir, 1 << 20, LONG_LINGER, true, LONG_LINGER, false);
        UsageRecorded lingering = event(1);
        p.publish(lingering);
        assertThat(p.publishAwaited(event(2), null).get(30, TimeUnit.SECONDS)).isEqualTo(Receipt.WRITTEN);
        // the batch before held two: with answers waiting for the sync this one would wait the 10-minute durable linger
        assertThat(p.publishAwaited(event(3), null).get(30, TimeUnit.SECONDS)).isEqualTo(Receipt.WRITTEN);

        assertThat(UsagePublishers.journaledIds(p)).hasSize(3).first().isEqualTo(lingering.eventId());
        assertThat(counter("llmproxy.usage.buffer.appends")).isEqualTo(2.0);
        assertThat(p.journalUnsynced()).isTrue(); // the sync waits for the 10-minute linger
        publishers.destroy(p); // the journal syncs before it closes
        assertThat(p.journalUnsynced()).isFalse();
    }

    /**
     * Threads finishing calls at once, each waiting for every receipt, while the writer writes and syncs: no
     * wake-up of the writer may be lost (an event queued while it synced, then parked, would wait for ever with
     * every answer behind it: ADR 0006, amendment of 2026-12-07, third, where a lock in the journal did that at
     * the 37th receipt of this test). Every receipt completes and every event is journaled.
     */
    @Test
    void manyThreadsPublishingAtOnceHaveEveryReceiptCompletedAndEveryEventJournaled() throws Exception {
        UsagePublisher p = publishers.open(dir, 64 << 20, Duration.ofMillis(1), true, Duration.ZERO, false);
        int threads = 4;
        int perThread = 3_000;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.List<CompletableFuture<Void>> callers = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                callers.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perThread; i++) {
                        try {
                            assertThat(p.publishAwaited(event(i), null).get(30, TimeUnit.SECONDS)).isEqualTo(Receipt.WRITTEN);
                        } catch (Exception e) {
                            throw new AssertionError("receipt " + i + " not completed within 30 s", e);
                        }
                    }
                }, pool));
            }
            CompletableFuture.allOf(callers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(p.journaledEvents()).isEqualTo((long) threads * perThread);
        assertThat(counter("llmproxy.usage.buffer.rejected")).isZero();
    }

    @Test
    void writtenEventsAreSyncedWithinTheLinger() throws Exception {
        UsagePublisher p = publishers.open(dir, 1 << 20, Duration.ofMillis(200), true, Duration.ZERO, false);
        UsageRecorded awaited = event(1);
        assertThat(p.publishAwaited(awaited, null).get(30, TimeUnit.SECONDS)).isEqualTo(Receipt.WRITTEN);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (p.journalUnsynced() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(p.journalUnsynced()).isFalse();
        assertThat(UsagePublishers.journaledIds(p)).containsExactly(awaited.eventId());
    }

    @Test
    void anEventTheFullBufferRejectsStillCompletesItsReceipt() throws Exception {
        long one = UsageJournal.HEADER_BYTES + UsagePublisherRestartTest.JSON.writeValueAsBytes(event(1)).length;
        UsagePublisher p = publisher(one + 10, true);
        UsageRecorded first = event(1);

        assertThat(p.publishAwaited(first, null).get(30, TimeUnit.SECONDS)).isEqualTo(Receipt.SYNCED);
        assertThat(p.publishAwaited(event(2), null).get(30, TimeUnit.SECONDS)).isEqualTo(Receipt.REJECTED);
        assertThat(counter("llmproxy.usage.buffer.rejected")).isEqualTo(1.0);
        assertThat(UsagePublishers.journaledIds(p)).containsExactly(first.eventId());
    }

    @Test
    void anAwaitedEventAfterShutdownIsRejectedAndItsReceiptCompleted() throws Exception {
        UsagePublisher p = publisher(1 << 20, true);
        publishers.destroy(p);

        CompletableFuture<Receipt> receipt = p.publishAwaited(event(1), null);

        assertThat(receipt).isCompletedWithValue(Receipt.REJECTED);
        assertThat(counter("llmproxy.usage.buffer.rejected")).isEqualTo(1.0);
    }

    @Test
    void withDurableAnswersOffNothingWaitsAndTheEventLingers() throws Exception {
        UsagePublisher p = publisher(1 << 20, false);

        CompletableFuture<Receipt> receipt = p.publishAwaited(event(1), null);

        assertThat(receipt).isCompletedWithValue(Receipt.NOT_AWAITED);
        // still in memory: the writer waits its 10-minute linger for more
        assertThat(p.journaledEvents()).isZero();
        assertThat(p.bufferedEvents()).isEqualTo(1);
        publishers.destroy(p); // ends the linger: the event is written
        assertThat(p.bufferedEvents()).isEqualTo(1);
        assertThat(counter("llmproxy.usage.buffer.rejected")).isZero();
    }
}
