package io.llmproxy.command.price;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.command.common.Text;
import io.llmproxy.kernel.billing.Pricing;
import io.llmproxy.kernel.price.PriceSet;
import io.llmproxy.kernel.price.SetPrice;
import java.math.BigDecimal;
import java.time.Instant;

/** Pure checks of a price (no Axon, no Spring). */
final class PriceRules {

    /** Highest price accepted, USD per million tokens. */
    static final BigDecimal MAX_PER_MILLION_USD = new BigDecimal("1000000");

    private PriceRules() {
    }

    /** @throws CommandRejected 400 naming the field of the first invalid value */
    static void check(SetPrice command) {
        Text.requireClean("providerId", command.providerId());
        Text.requireClean("model", command.model());
        if (command.providerId() == null || command.providerId().isBlank()) {
            throw CommandRejected.invalid("providerId", "providerId must not be blank");
        }
        if (command.model() == null || command.model().isBlank() || command.model().length() > 200) {
            throw CommandRejected.invalid("model", "model must be 1..200 characters");
        }
        requirePrice("inputPerMillionUsd", command.inputPerMillionUsd(), true);
        requirePrice("outputPerMillionUsd", command.outputPerMillionUsd(), true);
        requirePrice("cachedInputPerMillionUsd", command.cachedInputPerMillionUsd(), false);
        Text.requireRepresentable("effectiveFrom", command.effectiveFrom());
    }

    private static void requirePrice(String field, BigDecimal value, boolean required) {
        if (value == null) {
            if (required) {
                throw CommandRejected.invalid(field, field + " is required (USD per million tokens)");
            }
            return;
        }
        if (value.compareTo(MAX_PER_MILLION_USD) > 0 || !Pricing.isValidPrice(value)) {
            throw CommandRejected.invalid(field, field + " must be 0.." + MAX_PER_MILLION_USD.toPlainString()
                    + " USD per million tokens with at most " + Pricing.MAX_SCALE + " decimals");
        }
    }

    /**
     * A price schedule is append-only, so that a call already billed is never re-priced.
     *
     * @throws CommandRejected 409 when {@code effectiveFrom} is not after the latest entry's
     */
    static void requireAfterLatest(Instant latest, Instant effectiveFrom) {
        if (latest != null && !effectiveFrom.isAfter(latest)) {
            throw CommandRejected.conflict("effectiveFrom",
                    "effectiveFrom must be after " + latest + ", the effectiveFrom of this model's latest price");
        }
    }

    static PriceSet toEvent(SetPrice command, Instant effectiveFrom, Instant now) {
        BigDecimal input = Pricing.normalise(command.inputPerMillionUsd());
        BigDecimal cached = command.cachedInputPerMillionUsd() == null ? input
                : Pricing.normalise(command.cachedInputPerMillionUsd());
        return new PriceSet(command.providerId(), command.model().strip(), input,
                Pricing.normalise(command.outputPerMillionUsd()), cached, effectiveFrom, now);
    }
}
