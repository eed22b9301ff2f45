package io.llmproxy.query.replay;

import io.llmproxy.projection.billing.BillingProjection;
import io.llmproxy.query.web.QueryRejected;
import java.util.LinkedHashMap;
import java.util.Map;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /admin/v1/projections/{name}/replay}: rebuilds an event-store projection from
 * zero (shut down, reset tokens — which runs its {@code @ResetHandler} — and start). 202; the
 * rebuild runs in the background. 404 for an unknown processor name.
 *
 * <p>{@code billing} is the Kafka-fed billing read model: it is rebuilt from the ledger
 * ({@code usage_record}, the archive of every usage event and its cost) synchronously, in one
 * transaction, → 200 {@code {"projection":"billing","status":"rebuilt","rows","elapsedMs"}}.
 */
@RestController
class ReplayController {

    private final EventProcessingConfiguration processing;
    private final BillingProjection billing;

    ReplayController(EventProcessingConfiguration processing, BillingProjection billing) {
        this.processing = processing;
        this.billing = billing;
    }

    @PostMapping("/admin/v1/projections/{name}/replay")
    ResponseEntity<Map<String, Object>> replay(@PathVariable String name) {
        if (BillingProjection.NAME.equals(name)) {
            long started = System.nanoTime();
            int rows = billing.rebuild();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("projection", name);
            body.put("status", "rebuilt");
            body.put("rows", rows);
            body.put("elapsedMs", (System.nanoTime() - started) / 1_000_000);
            return ResponseEntity.ok(body);
        }
        StreamingEventProcessor processor = processing.eventProcessor(name, StreamingEventProcessor.class)
                .orElseThrow(() -> QueryRejected.notFound("name", "no streaming projection named " + name));
        processor.shutDown();
        processor.resetTokens();
        processor.start();
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of("projection", name, "status", "replaying"));
    }
}
