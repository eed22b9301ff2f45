package io.llmproxy.projection.billing;

import io.llmproxy.kernel.billing.Pricing;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The price of a provider model in force at an instant, from {@code rm_price}. */
@Component
public class PriceLookup {

    /**
     * A price and the start of its validity.
     *
     * @param price         the amounts (USD per million tokens)
     * @param effectiveFrom first instant it applies to
     */
    public record PriceInForce(Pricing.Price price, Instant effectiveFrom) {
    }

    private final JdbcTemplate jdbc;

    public PriceLookup(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * @return the price with the latest {@code effective_from ≤ at} of {@code providerModel} at
     *         {@code providerId}, empty when there is none (or either name is null)
     */
    public Optional<PriceInForce> at(String providerId, String providerModel, Instant at) {
        if (providerId == null || providerModel == null) {
            return Optional.empty();
        }
        return jdbc.query("""
                        SELECT input_per_million_usd, output_per_million_usd, cached_input_per_million_usd, effective_from
                        FROM rm_price WHERE provider_id = ? AND model = ? AND effective_from <= ?
                        ORDER BY effective_from DESC LIMIT 1""",
                (rs, i) -> new PriceInForce(new Pricing.Price(rs.getBigDecimal(1), rs.getBigDecimal(2), rs.getBigDecimal(3)),
                        rs.getTimestamp(4).toInstant()),
                providerId, providerModel, Timestamp.from(at)).stream().findFirst();
    }
}
