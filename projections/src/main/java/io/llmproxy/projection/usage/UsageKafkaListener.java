package io.llmproxy.projection.usage;

import io.llmproxy.kernel.usage.UsageRecorded;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Consumes {@value UsageRecorded#TOPIC} (JSON values, tenant keys) into {@link UsageProjection},
 * one poll (up to {@code max.poll.records}, 500) per database transaction, written with a fixed
 * number of statements ({@link UsageProjection#applyAll}). Offsets are
 * committed after the transaction (ack mode {@code batch}), so a crash redelivers and the
 * projection's event-id check makes the redelivery harmless (at-least-once + idempotence).
 *
 * <p>An event that cannot be read, or lacks {@code eventId}, {@code occurredAt}, {@code outcome} or
 * {@code endpoint}, is logged and skipped (it can never be counted). If a batch's transaction fails
 * (the database), its events are applied one transaction each, and the first that fails is reported
 * to the container's error handler by its index ({@link BatchListenerFailedException}), which commits
 * the events before it and retries from it with back-off until the database takes it: a usage event
 * is never dropped because the database was down (the consumer lag grows instead). While a replay
 * rebuilds the prices ({@link PricesReplaying}) the whole poll is retried the same way.
 */
@Component
public class UsageKafkaListener {

    private static final Logger log = LoggerFactory.getLogger(UsageKafkaListener.class);

    private final UsageProjection projection;
    private final JsonMapper json;
    private final UsageConsumerSpans spans;

    public UsageKafkaListener(UsageProjection projection, JsonMapper json,
                              org.springframework.beans.factory.ObjectProvider<io.opentelemetry.api.OpenTelemetry> otel) {
        this.projection = projection;
        this.json = json;
        this.spans = new UsageConsumerSpans(otel.getIfAvailable(io.opentelemetry.api.OpenTelemetry::noop));
    }

    /** @return the name of a field every usage event must have that {@code e} lacks, or null */
    static String missingField(UsageRecorded e) {
        if (e == null || e.eventId() == null || e.eventId().isBlank()) {
            return "eventId";
        }
        if (e.occurredAt() == null) {
            return "occurredAt";
        }
        if (e.outcome() == null) {
            return "outcome";
        }
        return e.endpoint() == null ? "endpoint" : null;
    }

    /**
     * One poll of the topic. The fetch settings make polls big at modest rates too (issue #16: a
     * poll costs PostgreSQL a few ms whatever its size, so polls of a handful of events cost
     * several times more CPU per event than polls of hundreds): the broker answers a fetch when
     * {@code fetch.min.bytes} (256 KiB ≈ 330 events, a partition's most per fetch) are there or after
     * {@code fetch.max.wait.ms} (500 ms, the most it adds to an event's way to billing; with the edge's
     * 100 ms sender linger an event is billed within about a second). Measured at 2,000 events/s
     * (bench {@code pipeline}, 2026-12-06, 2 runs each once warm): query-side 111–132 µs per event with
     * 64 KiB / 200 ms and 70 with 256 KiB / 500 ms, PostgreSQL unchanged (108–123), the lag's peak
     * 265–650 → 850–1,200 events. Each can be set with {@code llmproxy.usage.consumer.*}. Also called
     * directly by {@code UsagePipelineBench}.
     *
     * <p>{@code concurrency} (3, the topic's partitions in local runs): consumers of this instance,
     * each on its own partitions and thread, so that one poll's Java work overlaps another's
     * database transaction (issue #16: one consumer waits on PostgreSQL for most of each poll). A
     * tenant's events stay on one partition, so each chain is still appended in its partition's
     * order; shared rows are locked in key order (billing rows, chain heads), as between replicas.
     * Consumers beyond the partition count stay idle.
     *
     * <p>A fetch brings at most 256 KiB per partition ({@code max.partition.fetch.bytes}, ≈ 330
     * events) and 448 KiB in all ({@code fetch.max.bytes}): Kafka's defaults (1 MiB, 50 MiB) made
     * each fetch response a humongous object for G1 on a heap below 2 GiB (1 MiB regions, so 512 KiB
     * and more), and with three consumers these started a concurrent mark cycle about every second
     * (measured: 17–41 µs of G1 CPU per event; none after the change).
     */
    @KafkaListener(id = "usage-projection", topics = UsageRecorded.TOPIC, batch = "true",
            concurrency = "${llmproxy.usage.consumer.concurrency:3}",
            groupId = "${llmproxy.usage.consumer-group:llmproxy-usage-projection}",
            properties = {
                "max.poll.records=${llmproxy.usage.consumer.max-poll-records:500}",
                "fetch.min.bytes=${llmproxy.usage.consumer.fetch-min-bytes:262144}",
                "fetch.max.wait.ms=${llmproxy.usage.consumer.fetch-max-wait-ms:500}",
                "max.partition.fetch.bytes=${llmproxy.usage.consumer.max-partition-fetch-bytes:262144}",
                "fetch.max.bytes=${llmproxy.usage.consumer.fetch-max-bytes:458752}"})
    public void onUsage(List<ConsumerRecord<String, String>> records) {
        UsageConsumerSpans.Batch traced = spans.start(records);
        try {
            consume(records);
            traced.end(null);
        } catch (RuntimeException e) {
            traced.end(e);
            throw e;
        }
    }

    private void consume(List<ConsumerRecord<String, String>> records) {
        List<UsageProjection.Received> batch = new ArrayList<>(records.size());
        List<Integer> indexes = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<String, String> record = records.get(i);
            try {
                UsageRecorded event = json.readValue(record.value(), UsageRecorded.class);
                String missing = missingField(event);
                if (missing != null) {
                    log.error("Skipping usage event without {} at {}-{}@{}", missing, record.topic(), record.partition(),
                            record.offset());
                    continue;
                }
                batch.add(new UsageProjection.Received(event, record.value()));
                indexes.add(i);
            } catch (JacksonException | IllegalArgumentException e) {
                log.error("Skipping unreadable usage event at {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            int counted = projection.applyAll(batch);
            if (counted < batch.size()) {
                log.debug("{} of {} usage events were already counted (redelivery)", batch.size() - counted, batch.size());
            }
        } catch (PricesReplaying replaying) {
            throw replaying; // the whole poll again after the error handler's back-off, nothing skipped
        } catch (RuntimeException batchFailure) {
            log.warn("Usage batch of {} events failed ({}); applying them one by one", batch.size(), batchFailure.toString());
            for (int i = 0; i < batch.size(); i++) {
                try {
                    projection.apply(batch.get(i).event(), batch.get(i).rawJson());
                } catch (RuntimeException e) {
                    // the container's error handler (UsageConsumerConfiguration) commits the events before
                    // this one and retries from it, with back-off and without limit: never skipped
                    throw new BatchListenerFailedException("usage event " + batch.get(i).event().eventId()
                            + " could not be applied", e, indexes.get(i));
                }
            }
        }
    }
}
