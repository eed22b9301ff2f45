package io.llmproxy.command.price;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import io.llmproxy.kernel.price.PriceSet;
import io.llmproxy.kernel.price.SetPrice;
import java.time.Instant;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * Price list of one provider model ({@code <providerId>/<model>}): an append-only schedule of
 * prices by {@code effectiveFrom}. Created or extended through {@link PriceCommandHandler}, which
 * first checks the provider exists; the rules are in {@link PriceRules}.
 */
@Aggregate
public class PriceList {

    @AggregateIdentifier
    private String priceListId;
    /** effectiveFrom of the latest entry; null before the first. */
    private Instant latestEffectiveFrom;

    public PriceList() {
    }

    /** Applies {@link PriceSet} for a checked command (see {@link PriceRules#check}). */
    void set(SetPrice command) {
        Instant now = GenericEventMessage.clock.instant();
        Instant effectiveFrom = command.effectiveFrom() == null ? now : command.effectiveFrom();
        PriceRules.requireAfterLatest(latestEffectiveFrom, effectiveFrom);
        apply(PriceRules.toEvent(command, effectiveFrom, now));
    }

    @EventSourcingHandler
    void on(PriceSet event) {
        this.priceListId = SetPrice.idOf(event.providerId(), event.model());
        this.latestEffectiveFrom = event.effectiveFrom();
    }
}
