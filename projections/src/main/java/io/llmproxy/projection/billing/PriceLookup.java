package io.llmproxy.projection.billing;

import io.llmproxy.kernel.billing.Pricing;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        return atInDatabase(providerId, providerModel, at);
    }

    /**
     * A lookup for one batch of events (one poll of the usage consumer): each provider model's
     * schedule is read once, with the first event that needs it, and every later lookup of it is
     * answered from memory. Gives the same answer as {@link #at} in the same transaction (the
     * schedule is append-only, ADR 0007). Not thread-safe; use it for one batch and drop it.
     */
    public final class BatchLookup {
        private final Map<List<String>, List<PriceInForce>> schedules = new HashMap<>();

        private BatchLookup() {
        }

        /** @return as {@link PriceLookup#at} */
        public Optional<PriceInForce> at(String providerId, String providerModel, Instant at) {
            if (providerId == null || providerModel == null) {
                return Optional.empty();
            }
            List<PriceInForce> schedule = schedules.computeIfAbsent(List.of(providerId, providerModel),
                    k -> jdbc.query("""
                                    SELECT input_per_million_usd, output_per_million_usd, cached_input_per_million_usd, effective_from
                                    FROM rm_price WHERE provider_id = ? AND model = ? ORDER BY effective_from DESC""",
                            (rs, i) -> new PriceInForce(new Pricing.Price(rs.getBigDecimal(1), rs.getBigDecimal(2),
                                    rs.getBigDecimal(3)), rs.getTimestamp(4).toInstant()),
                            providerId, providerModel));
            // PostgreSQL compares at microsecond precision: the JDBC driver rounds the instant to micros
            Instant micros = roundToMicros(at);
            for (PriceInForce p : schedule) {
                if (!p.effectiveFrom().isAfter(micros)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }
    }

    /** @return a lookup that reads each provider model's prices at most once (one per batch) */
    public BatchLookup forBatch() {
        return new BatchLookup();
    }

    static Instant roundToMicros(Instant at) {
        Instant down = at.truncatedTo(ChronoUnit.MICROS);
        return at.getNano() % 1000 >= 500 ? down.plus(1, ChronoUnit.MICROS) : down;
    }

    private Optional<PriceInForce> atInDatabase(String providerId, String providerModel, Instant at) {
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
