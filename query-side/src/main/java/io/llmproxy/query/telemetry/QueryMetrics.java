package io.llmproxy.query.telemetry;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The query side's own metrics (issue #12); names in Micrometer's dotted form (Prometheus: underscores).
 *
 * <ul>
 *   <li>{@value #PROJECTION_LAG}{@code {processor}}: events each Axon streaming event processor is behind the
 *       event store's head: the head token's global index minus the lowest position over the processor's
 *       segments (from its token store status); NaN while the processor has no status (not started).</li>
 *   <li>{@value #VERIFY_OK}: 1 when the last audit chain verification ({@code GET /audit/v1/verify}) found every
 *       hash intact, 0 when it found a broken row, NaN before the first; {@value #VERIFY_LAST}: when it ran
 *       (Unix time, seconds; 0 before the first).</li>
 * </ul>
 * The usage topic's consumer lag is Kafka's own {@code kafka.consumer.fetch.manager.records.lag} (and
 * {@code .records.lag.max}), bound by Spring Boot's Kafka metrics auto-configuration (tags {@code client.id},
 * {@code topic}, {@code partition}).
 */
@Component
public class QueryMetrics {

    /** Events a projection is behind the event store head. */
    public static final String PROJECTION_LAG = "llmproxy.projection.lag";
    /** 1 intact, 0 broken: the last audit verification. */
    public static final String VERIFY_OK = "llmproxy.audit.verify.ok";
    /** Unix time of the last audit verification. */
    public static final String VERIFY_LAST = "llmproxy.audit.verify.last";

    private final MeterRegistry registry;
    private final EventProcessingConfiguration processing;
    private final EventStore eventStore;
    private final AtomicLong verifyOk = new AtomicLong(-1);
    private final AtomicLong verifiedAtMillis = new AtomicLong();

    public QueryMetrics(MeterRegistry registry, EventProcessingConfiguration processing, EventStore eventStore) {
        this.registry = registry;
        this.processing = processing;
        this.eventStore = eventStore;
        Gauge.builder(VERIFY_OK, verifyOk, v -> v.get() < 0 ? Double.NaN : v.get())
                .description("1 when the last audit chain verification found every hash intact, 0 when broken")
                .register(registry);
        TimeGauge.builder(VERIFY_LAST, verifiedAtMillis, TimeUnit.MILLISECONDS, AtomicLong::get)
                .description("when the last audit chain verification ran (Unix time)").register(registry);
    }

    /** Records an audit chain verification's result. */
    public void verified(boolean ok) {
        verifyOk.set(ok ? 1 : 0);
        verifiedAtMillis.set(System.currentTimeMillis());
    }

    /** Registers one lag gauge per streaming event processor, once Axon has built them. */
    @EventListener(ApplicationReadyEvent.class)
    public void bindProjections() {
        processing.eventProcessors().forEach((name, processor) -> {
            if (processor instanceof StreamingEventProcessor streaming) {
                Gauge.builder(PROJECTION_LAG, streaming, this::lag).tag("processor", name)
                        .description("events the projection is behind the event store head").register(registry);
            }
        });
    }

    private double lag(StreamingEventProcessor processor) {
        var status = processor.processingStatus();
        if (status.isEmpty()) {
            return Double.NaN;
        }
        long lowest = Long.MAX_VALUE;
        for (EventTrackerStatus s : status.values()) {
            OptionalLong position = s.getCurrentPosition();
            lowest = Math.min(lowest, position.orElse(-1));
        }
        TrackingToken head = eventStore.createHeadToken();
        long headPosition = head == null ? -1 : head.position().orElse(-1);
        return Math.max(0, headPosition - lowest);
    }
}
