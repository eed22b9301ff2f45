package io.llmproxy.projection.usage;

import io.llmproxy.kernel.usage.UsageRecorded;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Consumes {@value UsageRecorded#TOPIC} (JSON values, tenant keys) into {@link UsageProjection}.
 * Offsets are committed after the database transaction, so a crash redelivers and the
 * projection's event-id check makes the redelivery harmless (at-least-once + idempotence).
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

    @KafkaListener(id = "usage-projection", topics = UsageRecorded.TOPIC, groupId = "${llmproxy.usage.consumer-group:llmproxy-usage-projection}")
    void onUsage(ConsumerRecord<String, String> record) {
        UsageRecorded event;
        try {
            event = json.readValue(record.value(), UsageRecorded.class);
        } catch (JacksonException e) {
            log.error("Skipping unreadable usage event at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getOriginalMessage());
            return;
        }
        boolean counted = projection.apply(event, record.value());
        if (!counted) {
            log.debug("Usage event {} was already counted (redelivery)", event.eventId());
        }
    }
}
