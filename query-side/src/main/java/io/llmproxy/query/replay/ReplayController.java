package io.llmproxy.query.replay;

import io.llmproxy.adminweb.Problems;
import io.llmproxy.projection.billing.BillingProjection;
import io.llmproxy.query.config.ProjectionNode;
import io.llmproxy.query.replay.ReplayRequests.Replay;
import io.llmproxy.query.web.QueryRejected;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.UUID;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Replays of the projections (PlatformAdmin only).
 *
 * <p>{@code POST /admin/v1/projections/{name}/replay} rebuilds an event-store projection from zero,
 * coordinated across every query-side instance (ADR 0023): it opens a request that each instance's
 * {@link ReplayCoordinator} carries out in the background (all stop, one resets the tokens, which runs
 * the {@code @ResetHandler}, all start again). → 202 {@code {"projection","status":"replaying","replayId"}}
 * with {@code Location: /admin/v1/projections/{name}/replays/{replayId}}; 404 {@code not_found} for any
 * name but {@link ReplayRequests#REPLAYABLE} and {@code billing} (other event processors, such as the
 * Keycloak provisioning, are not projections); 409 {@code replay_in_progress} (with the open request's
 * {@code replayId} and {@code Location}) while a replay of that processor is open.
 *
 * <p>{@code GET /admin/v1/projections/{name}/replays/{replayId}} → 200
 * {@code {"replayId","projection","state":"REQUESTED|RESETTING|DONE|FAILED","requestedBy","requestedAt",
 * "resetBy","resetStartedAt","finishedAt","detail","acks":[{"node","stoppedAt","restartedAt"}]}}
 * (instants ISO-8601, null until they happen); 404 for an unknown id, one of another processor, or an id
 * that is not a canonical UUID.
 *
 * <p>{@code billing} is the Kafka-fed billing read model: it is rebuilt from the ledger
 * ({@code usage_record}, the archive of every usage event and its cost) synchronously, in one
 * transaction, → 200 {@code {"projection":"billing","status":"rebuilt","rows","elapsedMs"}}; 409
 * {@code replay_in_progress} at once while another rebuild runs (on any instance).
 */
@RestController
class ReplayController {

    private final EventProcessingConfiguration processing;
    private final BillingProjection billing;
    private final ReplayRequests requests;
    private final ProjectionNode node;

    ReplayController(EventProcessingConfiguration processing, BillingProjection billing, ReplayRequests requests,
                     ProjectionNode node) {
        this.processing = processing;
        this.billing = billing;
        this.requests = requests;
        this.node = node;
    }

    @PostMapping("/admin/v1/projections/{name}/replay")
    ResponseEntity<?> replay(@PathVariable String name) {
        if (BillingProjection.NAME.equals(name)) {
            long started = System.nanoTime();
            OptionalInt rows = billing.rebuild();
            if (rows.isEmpty()) {
                return Problems.problem(HttpStatus.CONFLICT, "replay_in_progress", "name",
                        "a rebuild of billing is already in progress");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("projection", name);
            body.put("status", "rebuilt");
            body.put("rows", rows.getAsInt());
            body.put("elapsedMs", (System.nanoTime() - started) / 1_000_000);
            return ResponseEntity.ok(body);
        }
        requireProcessor(name);
        Optional<Replay> opened = requests.request(name, node.id());
        if (opened.isEmpty()) {
            Optional<Replay> open = requests.open(name);
            ResponseEntity<ProblemDetail> conflict = Problems.problem(HttpStatus.CONFLICT, "replay_in_progress", "name",
                    "a replay of " + name + " is already in progress" + open.map(r -> ": " + r.id()).orElse(""));
            if (open.isEmpty()) {
                return conflict;
            }
            conflict.getBody().setProperty("replayId", open.get().id().toString());
            return ResponseEntity.status(HttpStatus.CONFLICT).location(location(open.get())).body(conflict.getBody());
        }
        Replay replay = opened.get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("projection", name);
        body.put("status", "replaying");
        body.put("replayId", replay.id().toString());
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(location(replay)).body(body);
    }

    @GetMapping("/admin/v1/projections/{name}/replays/{replayId}")
    Map<String, Object> replayState(@PathVariable String name, @PathVariable String replayId) {
        Replay replay = parse(replayId).flatMap(requests::find).filter(r -> r.processor().equals(name))
                .orElseThrow(() -> QueryRejected.notFound("replayId", "no such replay of this projection"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("replayId", replay.id().toString());
        body.put("projection", replay.processor());
        body.put("state", replay.state().name());
        body.put("requestedBy", replay.requestedBy());
        body.put("requestedAt", text(replay.requestedAt()));
        body.put("resetBy", replay.resetBy());
        body.put("resetStartedAt", text(replay.resetStartedAt()));
        body.put("finishedAt", text(replay.finishedAt()));
        body.put("detail", replay.detail());
        body.put("acks", requests.acks(replay.id()).stream().map(a -> {
            Map<String, Object> ack = new LinkedHashMap<>();
            ack.put("node", a.nodeId());
            ack.put("stoppedAt", text(a.stoppedAt()));
            ack.put("restartedAt", text(a.restartedAt()));
            return ack;
        }).toList());
        return body;
    }

    /** @throws QueryRejected 404 unless {@code name} is a replayable projection this instance runs (the name is not echoed) */
    private void requireProcessor(String name) {
        if (!ReplayRequests.REPLAYABLE.contains(name) || processing.eventProcessor(name, StreamingEventProcessor.class).isEmpty()) {
            throw QueryRejected.notFound("name", "no projection of that name; replayable: "
                    + String.join(", ", new TreeSet<>(ReplayRequests.REPLAYABLE)) + ", " + BillingProjection.NAME);
        }
    }

    private static URI location(Replay replay) {
        return URI.create("/admin/v1/projections/" + replay.processor() + "/replays/" + replay.id());
    }

    /** @return the id when {@code id} is a UUID in its canonical form (36 characters, any case); lenient forms such as {@code 1-1-1-1-1} are not ids */
    private static Optional<UUID> parse(String id) {
        try {
            UUID uuid = UUID.fromString(id);
            return uuid.toString().equalsIgnoreCase(id) ? Optional.of(uuid) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
