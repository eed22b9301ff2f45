package io.llmproxy.kernel.price;

import java.math.BigDecimal;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * Event: a provider model has this price from {@code effectiveFrom} on. Prices are global (not
 * per tenant), so the event has no tenant. Amounts are normalised decimals (no trailing zeros).
 *
 * @param providerId               provider id
 * @param model                    the provider's model name
 * @param inputPerMillionUsd       USD per 1,000,000 uncached prompt tokens
 * @param outputPerMillionUsd      USD per 1,000,000 completion tokens
 * @param cachedInputPerMillionUsd USD per 1,000,000 cached prompt tokens (never null: defaults to the input price)
 * @param effectiveFrom            first instant (UTC) of calls this price applies to
 * @param occurredAt               when the price was set (UTC)
 */
@Revision("1")
public record PriceSet(String providerId, String model, BigDecimal inputPerMillionUsd, BigDecimal outputPerMillionUsd,
                       BigDecimal cachedInputPerMillionUsd, Instant effectiveFrom, Instant occurredAt) {
}
