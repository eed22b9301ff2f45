package io.llmproxy.projection.price;

import io.llmproxy.kernel.price.PriceSet;
import io.llmproxy.projection.admin.AdminReadModelProjection;
import io.llmproxy.projection.support.PgText;
import java.sql.Timestamp;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Builds {@code rm_price} (every price of every provider model, by {@code effective_from}) from
 * {@link PriceSet} events, in the admin read model's processor (so prices replay with it and carry
 * the same {@code change_index} cursor the edge polls).
 */
@Component
@ProcessingGroup(AdminReadModelProjection.NAME)
public class PriceProjection {

    private final JdbcTemplate jdbc;

    public PriceProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(PriceSet e, TrackingToken token) {
        jdbc.update("""
                INSERT INTO rm_price (provider_id, model, effective_from, input_per_million_usd, output_per_million_usd,
                    cached_input_per_million_usd, set_at, change_index)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (provider_id, model, effective_from) DO UPDATE SET
                    input_per_million_usd = excluded.input_per_million_usd, output_per_million_usd = excluded.output_per_million_usd,
                    cached_input_per_million_usd = excluded.cached_input_per_million_usd, set_at = excluded.set_at,
                    change_index = excluded.change_index""",
                e.providerId(), PgText.clean(e.model()), PgText.timestamp(e.effectiveFrom()), e.inputPerMillionUsd(),
                e.outputPerMillionUsd(), e.cachedInputPerMillionUsd(), Timestamp.from(e.occurredAt()),
                token == null ? 0L : token.position().orElse(0L));
    }

    @ResetHandler
    void reset() {
        jdbc.execute("TRUNCATE rm_price");
    }
}
