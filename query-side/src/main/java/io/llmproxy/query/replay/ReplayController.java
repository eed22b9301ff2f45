package io.llmproxy.query.replay;

import io.llmproxy.query.web.QueryRejected;
import java.util.Map;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /admin/v1/projections/{name}/replay}: rebuilds an event-store projection from
 * zero (shut down, reset tokens — which runs its {@code @ResetHandler} — and start). 202; the
 * rebuild runs in the background. 404 for an unknown processor name.
 */
@RestController
class ReplayController {

    private final EventProcessingConfiguration processing;

    ReplayController(EventProcessingConfiguration processing) {
        this.processing = processing;
    }

    @PostMapping("/admin/v1/projections/{name}/replay")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Map<String, Object> replay(@PathVariable String name) {
        StreamingEventProcessor processor = processing.eventProcessor(name, StreamingEventProcessor.class)
                .orElseThrow(() -> QueryRejected.notFound("name", "no streaming projection named " + name));
        processor.shutDown();
        processor.resetTokens();
        processor.start();
        return Map.of("projection", name, "status", "replaying");
    }
}
