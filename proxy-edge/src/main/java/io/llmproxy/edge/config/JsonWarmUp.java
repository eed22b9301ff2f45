package io.llmproxy.edge.config;

import io.llmproxy.kernel.quota.QuotaLimits;
import io.llmproxy.kernel.usage.UsageRecorded;
import java.time.Instant;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds Jackson's (de)serializers for the hot path's types before the first request: a cold
 * mapper builds them under a lock that concurrent first requests would wait on, on event loops.
 */
@Component
class JsonWarmUp {

    private final JsonMapper json;

    JsonWarmUp(JsonMapper json) {
        this.json = json;
    }

    @EventListener(ApplicationStartedEvent.class)
    void warmUp() {
        json.readTree("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"usage\":{\"prompt_tokens\":1}}");
        String usage = json.writeValueAsString(new UsageRecorded("e", 1, "t", "k", "chat.completions", "m", "p", "pm", false,
                1, 1, 2, 1, 200, UsageRecorded.Outcome.SUCCESS, Instant.EPOCH, null, false, "u", 0, "p", "c"));
        json.readValue(usage, UsageRecorded.class);
        json.readValue("{\"requestsPerMinute\":1}", QuotaLimits.class);
        json.writeValueAsBytes(json.createObjectNode().put("model", "m"));
    }
}
