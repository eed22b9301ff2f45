package io.llmproxy.query.replay;

import io.llmproxy.query.config.ProjectionNode;
import io.llmproxy.query.replay.ReplayRequests.Replay;
import io.llmproxy.query.replay.ReplayRequests.State;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Carries out the replay requests ({@link ReplayRequests}) on this instance, on its own thread
 * ({@code replay-coordinator}, every {@link ReplayProperties#pollInterval()}), never on a request
 * thread (ADR 0023). For each open request of a processor this instance runs:
 * <ol>
 *   <li>shut the processor down (it releases its segments' claims) and record the acknowledgement;
 *       an instance started while a request is open stops its (auto-started) processor the same way;</li>
 *   <li>once no segment of the processor in Axon's token store is claimed by another instance, or
 *       every such claim is older than the token store's claim timeout (a dead instance), try to win
 *       the reset ({@code REQUESTED → RESETTING}, one conditional update: one winner); the winner, in
 *       one transaction, resets the tokens (which runs the {@code @ResetHandler}s), releases every
 *       segment's claim so that every instance can claim again, and marks the request {@code DONE};
 *       a failed attempt puts it back to {@code REQUESTED};</li>
 *   <li>when a request it stopped for is {@code DONE} or {@code FAILED}, start the processor again
 *       (unless another open request of that processor holds it) and record when.</li>
 * </ol>
 * A request still open after {@link ReplayProperties#timeout()} is marked {@code FAILED}, naming the
 * segments still claimed or the instance whose reset did not finish; the tokens are then untouched. A
 * request of a processor outside {@link ReplayRequests#REPLAYABLE} is marked {@code FAILED} at once.
 */
@Component
public class ReplayCoordinator implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ReplayCoordinator.class);

    /** A segment's claim in the token store that this instance may not take over (yet). */
    record Claim(int segment, String owner, Instant claimedAt) {
        @Override
        public String toString() {
            return segment + " by " + owner + " (renewed " + claimedAt + ")";
        }
    }

    private final ReplayRequests requests;
    private final EventProcessingConfiguration processing;
    private final TokenStore tokenStore;
    private final TransactionTemplate tx;
    private final JdbcTemplate jdbc;
    private final ReplayProperties properties;
    private final String node;
    /** requests this instance stopped a processor for → that processor; used by the coordinator thread only */
    private final Map<UUID, String> stopped = new LinkedHashMap<>();
    private volatile ScheduledExecutorService executor;
    /** the last tick failed: further failures are logged at DEBUG until one succeeds */
    private boolean failing;

    public ReplayCoordinator(ReplayRequests requests, EventProcessingConfiguration processing, TokenStore tokenStore,
                             TransactionTemplate tx, JdbcTemplate jdbc, ReplayProperties properties, ProjectionNode node) {
        this.requests = requests;
        this.processing = processing;
        this.tokenStore = tokenStore;
        this.tx = tx;
        this.jdbc = jdbc;
        this.properties = properties;
        this.node = node.id();
    }

    @Override
    public void start() {
        ScheduledExecutorService e = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "replay-coordinator");
            t.setDaemon(true);
            return t;
        });
        e.scheduleWithFixedDelay(this::tickSafely, 0, properties.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        executor = e;
    }

    @Override
    public void stop() {
        ScheduledExecutorService e = executor;
        executor = null;
        if (e != null) {
            e.shutdown();
            try {
                if (!e.awaitTermination(10, TimeUnit.SECONDS)) {
                    e.shutdownNow();
                }
            } catch (InterruptedException interrupted) {
                e.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

    private void tickSafely() {
        try {
            tick();
            if (failing) {
                failing = false;
                log.info("replay coordination works again on {}", node);
            }
        } catch (RuntimeException e) {
            // PostgreSQL unreachable, a processor that would not stop...: the next tick tries again
            if (!failing) {
                log.warn("replay coordination failed, retrying every {} ms: {}", properties.pollInterval().toMillis(), e.toString());
            } else {
                log.debug("replay coordination still failing: {}", e.toString());
            }
            failing = true;
        }
    }

    /** One round over the requests; runs on the coordinator thread only. */
    void tick() {
        restartFinished();
        for (Replay replay : requests.open()) {
            if (!ReplayRequests.REPLAYABLE.contains(replay.processor())) {
                // not written by the endpoint (which refuses such names): never reset a processor that is not a projection
                if (requests.fail(replay.id(), Duration.ZERO, "not a replayable projection")) {
                    log.warn("replay {} of a processor that is not a replayable projection: failed, nothing stopped", replay.id());
                }
                continue;
            }
            Optional<StreamingEventProcessor> processor = processing.eventProcessor(replay.processor(), StreamingEventProcessor.class);
            if (processor.isEmpty()) {
                continue;
            }
            if (!stopped.containsKey(replay.id())) {
                processor.get().shutDown();
                stopped.put(replay.id(), replay.processor());
                requests.stopped(replay.id(), node);
                log.info("replay {} of {}: processor stopped on {}", replay.id(), replay.processor(), node);
            }
            if (requests.overdue(replay.id(), properties.timeout())) {
                String detail = replay.state() == State.RESETTING
                        ? "the reset by " + replay.resetBy() + " did not finish within " + properties.timeout().toSeconds() + " s"
                        : "not reset within " + properties.timeout().toSeconds() + " s; segments still claimed: "
                                + liveClaims(replay.processor()).stream().map(Claim::toString).collect(Collectors.joining(", "));
                if (requests.fail(replay.id(), properties.timeout(), detail)) {
                    log.warn("replay {} of {} failed: {}", replay.id(), replay.processor(), detail);
                }
                continue;
            }
            if (replay.state() == State.REQUESTED && liveClaims(replay.processor()).isEmpty()
                    && requests.startReset(replay.id(), node)) {
                reset(replay, processor.get());
            }
        }
        restartFinished();
    }

    /** The winner's reset: tokens, claims and {@code DONE} in one transaction. */
    private void reset(Replay replay, StreamingEventProcessor processor) {
        String name = replay.processor();
        try {
            tx.executeWithoutResult(status -> {
                processor.resetTokens();
                for (int segment : tokenStore.fetchSegments(name)) {
                    tokenStore.releaseClaim(name, segment);
                }
                if (!requests.done(replay.id(), node)) {
                    throw new IllegalStateException("replay " + replay.id() + " is no longer this instance's reset");
                }
            });
            log.info("replay {} of {}: tokens reset by {}", replay.id(), name, node);
        } catch (RuntimeException e) {
            log.warn("replay {} of {}: reset by {} failed, another attempt follows: {}", replay.id(), name, node, e.toString());
            requests.retry(replay.id(), node, "reset by " + node + " failed: " + e);
        }
    }

    /** Starts the processors of the finished requests this instance stopped for, unless another open request holds them. */
    private void restartFinished() {
        if (stopped.isEmpty()) {
            return;
        }
        Map<UUID, State> states = requests.states(stopped.keySet());
        for (Iterator<Map.Entry<UUID, String>> it = stopped.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<UUID, String> entry = it.next();
            State state = states.get(entry.getKey());
            if (state != null && state.open()) {
                continue;
            }
            String name = entry.getValue();
            boolean held = stopped.entrySet().stream().anyMatch(other -> other != entry && other.getValue().equals(name)
                    && states.containsKey(other.getKey()) && states.get(other.getKey()).open());
            if (!held) {
                processing.eventProcessor(name, StreamingEventProcessor.class).ifPresent(StreamingEventProcessor::start);
            }
            requests.restarted(entry.getKey(), node);
            it.remove();
            log.info("replay {} of {} {}: processor {} on {}", entry.getKey(), name, state == null ? "deleted" : state,
                    held ? "kept stopped for the next replay" : "started again", node);
        }
    }

    /**
     * @return the segments of {@code processor} that another instance holds with a claim younger than the
     *         claim timeout: Axon's own rule ({@code AbstractTokenEntry.mayClaim}) read from {@code tokenentry}
     */
    List<Claim> liveClaims(String processor) {
        Instant now = Instant.now();
        return jdbc.query("SELECT segment, owner, timestamp FROM tokenentry WHERE processorname = ? AND owner IS NOT NULL "
                        + "ORDER BY segment",
                        (rs, i) -> new Claim(rs.getInt(1), rs.getString(2), DateTimeUtils.parseInstant(rs.getString(3))), processor)
                .stream()
                .filter(c -> !c.owner().equals(node) && !c.claimedAt().plus(properties.claimTimeout()).isBefore(now))
                .toList();
    }
}
