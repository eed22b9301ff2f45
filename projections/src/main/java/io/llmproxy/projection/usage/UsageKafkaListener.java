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
 * one poll (up to {@code max.poll.records}, 500 by default) per database transaction. Offsets are
 * committed after the transaction (ack mode {@code batch}), so a crash redelivers and the
 * projection's event-id check makes the redelivery harmless (at-least-once + idempotence).
 *
 * <p>If a batch's transaction fails, its events are applied one transaction each, so that one
 * event that cannot be written holds back only itself: it is reported to the container's error
 * handler by its index ({@link BatchListenerFailedException}), which commits the events before it
 * and retries from it.
 */
@Component
public class UsageKafkaListener {

    private static final Logger log = LoggerFactory.getLogger(UsageKafkaListener.class);

    private final UsageProjection projection;
    private final JsonMapper json;

    public UsageKafkaListener(UsageProjection projection, JsonMapper json) {
        this.projection = projection;
        this.json = json;
    }

    @KafkaListener(id = "usage-projection", topics = UsageRecorded.TOPIC, batch = "true",
            groupId = "${llmproxy.usage.consumer-group:llmproxy-usage-projection}")
    void onUsage(List<ConsumerRecord<String, String>> records) {
        List<UsageProjection.Received> batch = new ArrayList<>(records.size());
        List<Integer> indexes = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<String, String> record = records.get(i);
            try {
                batch.add(new UsageProjection.Received(json.readValue(record.value(), UsageRecorded.class), record.value()));
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
        } catch (RuntimeException batchFailure) {
            log.warn("Usage batch of {} events failed ({}); applying them one by one", batch.size(), batchFailure.toString());
            for (int i = 0; i < batch.size(); i++) {
                try {
                    projection.apply(batch.get(i).event(), batch.get(i).rawJson());
                } catch (RuntimeException e) {
                    throw new BatchListenerFailedException("usage event " + batch.get(i).event().eventId()
                            + " could not be applied", e, indexes.get(i));
                }
            }
        }
    }
}
