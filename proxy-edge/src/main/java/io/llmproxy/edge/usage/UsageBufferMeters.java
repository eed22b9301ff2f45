package io.llmproxy.edge.usage;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import java.util.concurrent.TimeUnit;

/** The usage buffer's meters (README, "Metrics"; ADR 0006): what waits, how much, how old, what was lost to corruption. */
final class UsageBufferMeters {

    private UsageBufferMeters() {
    }

    /**
     * Registers {@code llmproxy.usage.buffer.events} (events accepted, not yet acknowledged by Kafka),
     * {@code .bytes} (unsent bytes on disk), {@code .oldest.age} (ms) and {@code .corrupt} (bytes cut off).
     *
     * The gauges read {@code publisher} and {@code journal}, which Micrometer holds weakly: both live as long
     * as the application.
     */
    static void register(MeterRegistry meters, UsagePublisher publisher, UsageJournal journal) {
        Gauge.builder("llmproxy.usage.buffer.events", publisher, UsagePublisher::bufferedEvents)
                .description("usage events accepted and not yet acknowledged by Kafka").register(meters);
        Gauge.builder("llmproxy.usage.buffer.bytes", journal, UsageJournal::pendingBytes).baseUnit("bytes")
                .description("bytes of unsent usage events in the disk buffer").register(meters);
        TimeGauge.builder("llmproxy.usage.buffer.oldest.age", publisher, TimeUnit.MILLISECONDS, UsagePublisher::oldestAgeMillis)
                .description("age of the oldest usage event not yet acknowledged by Kafka").register(meters);
        FunctionCounter.builder("llmproxy.usage.buffer.corrupt", journal, UsageJournal::corruptBytes)
                .baseUnit("bytes").description("bytes of buffered usage events cut off because the disk corrupted them")
                .register(meters);
    }
}
