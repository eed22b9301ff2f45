package io.llmproxy.command.common;

import org.axonframework.eventsourcing.IncompatibleAggregateException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.Repository;

/** Existence checks of one aggregate from another aggregate's command handler. */
public final class Aggregates {

    private Aggregates() {
    }

    /**
     * Whether {@code id} names an aggregate of {@code repository}'s type. Axon 4's event-sourcing
     * repository reads the event stream of an id whatever aggregate wrote it, so an id of another
     * type (a provider id given as a tenant id) loads an aggregate whose handlers saw none of its
     * events: Axon refuses it ({@link IncompatibleAggregateException}), and it is absent here.
     *
     * @return true when the aggregate exists and has that identifier
     */
    public static boolean exists(Repository<?> repository, String id) {
        try {
            return id != null && id.equals(repository.load(id).identifierAsString());
        } catch (AggregateNotFoundException | IncompatibleAggregateException e) {
            return false;
        }
    }
}
