package io.llmproxy.kernel.price;

import java.math.BigDecimal;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Command: set the price of one provider model from an instant on (a new entry in that model's
 * price schedule; earlier entries stay in force for calls before it).
 *
 * @param priceListId              aggregate id, {@code <providerId>/<model>} (see {@link #idOf})
 * @param providerId               registered provider id
 * @param model                    the provider's model name ({@code RouteTarget.model}), 1..200 characters
 * @param inputPerMillionUsd       USD per 1,000,000 uncached prompt tokens, ≥ 0, at most 6 decimals
 * @param outputPerMillionUsd      USD per 1,000,000 completion tokens, ≥ 0, at most 6 decimals
 * @param cachedInputPerMillionUsd USD per 1,000,000 cached prompt tokens, ≥ 0, at most 6 decimals;
 *                                 null = same as {@code inputPerMillionUsd}
 * @param effectiveFrom            first instant (UTC) the price applies to, by the call's {@code occurredAt}
 */
public record SetPrice(@TargetAggregateIdentifier String priceListId, String providerId, String model,
                       BigDecimal inputPerMillionUsd, BigDecimal outputPerMillionUsd,
                       BigDecimal cachedInputPerMillionUsd, Instant effectiveFrom) {

    /** A command whose aggregate id is derived from provider and model. */
    public SetPrice(String providerId, String model, BigDecimal inputPerMillionUsd, BigDecimal outputPerMillionUsd,
                    BigDecimal cachedInputPerMillionUsd, Instant effectiveFrom) {
        this(idOf(providerId, model), providerId, model, inputPerMillionUsd, outputPerMillionUsd,
                cachedInputPerMillionUsd, effectiveFrom);
    }

    /** @return the price list (aggregate) id of a provider model */
    public static String idOf(String providerId, String model) {
        return providerId + "/" + model;
    }
}
