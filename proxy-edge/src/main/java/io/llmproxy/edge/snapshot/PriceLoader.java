package io.llmproxy.edge.snapshot;

import io.llmproxy.edge.snapshot.EdgeSnapshot.PriceEntry;
import io.llmproxy.kernel.billing.Pricing;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@code rm_price} → each provider model's price schedule, ordered by {@code effectiveFrom}. */
final class PriceLoader implements TableLoader {

    @Override
    public ChangeSource source() {
        return ChangeSource.ADMIN_READ_MODEL;
    }

    @Override
    public String table() {
        return "rm_price";
    }

    @Override
    public void load(JdbcTemplate jdbc, SnapshotDraft draft) {
        jdbc.query("""
                SELECT provider_id, model, effective_from, input_per_million_usd, output_per_million_usd,
                       cached_input_per_million_usd, change_index
                FROM rm_price WHERE change_index > ? ORDER BY provider_id, model, effective_from""", rs -> {
            String id = rs.getString(1) + "/" + rs.getString(2);
            Instant from = rs.getTimestamp(3).toInstant();
            List<PriceEntry> schedule = new ArrayList<>(draft.prices.getOrDefault(id, List.of()));
            schedule.removeIf(e -> e.effectiveFrom().equals(from));
            schedule.add(new PriceEntry(from, new Pricing.Price(rs.getBigDecimal(4), rs.getBigDecimal(5), rs.getBigDecimal(6))));
            schedule.sort(Comparator.comparing(PriceEntry::effectiveFrom));
            draft.prices.put(id, List.copyOf(schedule));
            draft.seen(source(), rs.getLong(7));
        }, draft.since(source()));
    }
}
