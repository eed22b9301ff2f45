package io.llmproxy.edge.snapshot;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * The edge's {@link org.springframework.boot.availability.ApplicationAvailability} (replaces Spring
 * Boot's own bean): readiness stays {@link ReadinessState#REFUSING_TRAFFIC} until the first
 * snapshot of the read model has loaded (issue #9). Boot publishes
 * {@link ReadinessState#ACCEPTING_TRAFFIC} once the application has started; when that happens
 * before the snapshot has loaded (PostgreSQL slow or down), the event is held back and published
 * again by {@link SnapshotPoller} right after the first load. So {@code /actuator/health/readiness}
 * answers 503 {@code OUT_OF_SERVICE} until then, and calls that arrive anyway get 503 with
 * {@code Retry-After} ({@link io.llmproxy.edge.auth.ApiKeyAuthenticator.Status#NOT_READY}).
 * Liveness is unaffected: an edge waiting for PostgreSQL is alive and keeps trying.
 */
@Component
public class SnapshotReadiness extends ApplicationAvailabilityBean {

    private static final Logger log = LoggerFactory.getLogger(SnapshotReadiness.class);

    private final SnapshotStore store;
    private final ApplicationEventPublisher publisher;
    /** Boot's ACCEPTING_TRAFFIC arrived before the first snapshot; guarded by {@code this}. */
    private boolean acceptingHeld;

    public SnapshotReadiness(SnapshotStore store, ApplicationEventPublisher publisher) {
        this.store = store;
        this.publisher = publisher;
    }

    @Override
    public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
        synchronized (this) {
            if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC && !store.loaded()) {
                acceptingHeld = true;
                log.info("Refusing traffic until the first snapshot of the read model has loaded");
                return;
            }
        }
        super.onApplicationEvent(event);
    }

    /** Called by the poller after each successful poll: releases a held ACCEPTING_TRAFFIC once. */
    void snapshotLoaded() {
        synchronized (this) {
            if (!acceptingHeld || !store.loaded()) {
                return;
            }
            acceptingHeld = false;
        }
        AvailabilityChangeEvent.publish(publisher, this, ReadinessState.ACCEPTING_TRAFFIC);
    }
}
