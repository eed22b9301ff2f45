package io.llmproxy.query.price;

import io.llmproxy.query.web.Params;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Reads of the price table ({@code rm_price}). */
@RestController
class PriceQueryController {

    /**
     * One price.
     *
     * @param providerId               provider id
     * @param model                    the provider's model
     * @param inputPerMillionUsd       USD per million uncached prompt tokens, decimal string
     * @param outputPerMillionUsd      USD per million completion tokens, decimal string
     * @param cachedInputPerMillionUsd USD per million cached prompt tokens, decimal string
     * @param effectiveFrom            first instant of calls it applies to
     * @param setAt                    when it was set
     */
    record PriceItem(String providerId, String model, String inputPerMillionUsd, String outputPerMillionUsd,
                     String cachedInputPerMillionUsd, Instant effectiveFrom, Instant setAt) {
    }

    private final JdbcClient jdbc;

    PriceQueryController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * {@code GET /admin/v1/prices?providerId=&model=&asOf=} → {@code {"asOf","items":[PriceItem]}}:
     * every price of the schedule (ordered by provider, model, effectiveFrom), or with {@code asOf}
     * (ISO-8601 instant) only the price in force at that instant per provider model.
     *
     * @throws io.llmproxy.query.web.QueryRejected 400 when asOf does not parse
     */
    @GetMapping("/admin/v1/prices")
    Map<String, Object> prices(@RequestParam(required = false) String providerId, @RequestParam(required = false) String model,
                               @RequestParam(required = false) String asOf) {
        Instant at = Params.instant("asOf", asOf, null);
        StringBuilder where = new StringBuilder("TRUE");
        List<Object> params = new ArrayList<>();
        if (providerId != null) {
            where.append(" AND provider_id = ?");
            params.add(providerId);
        }
        if (model != null) {
            where.append(" AND model = ?");
            params.add(model);
        }
        if (at != null) {
            where.append(" AND effective_from <= ?");
            params.add(Timestamp.from(at));
        }
        String sql = at == null
                ? "SELECT * FROM rm_price WHERE " + where + " ORDER BY provider_id, model, effective_from"
                : "SELECT DISTINCT ON (provider_id, model) * FROM rm_price WHERE " + where
                        + " ORDER BY provider_id, model, effective_from DESC";
        List<PriceItem> items = jdbc.sql(sql).params(params).query((rs, i) -> new PriceItem(rs.getString("provider_id"),
                rs.getString("model"), plain(rs.getBigDecimal("input_per_million_usd")),
                plain(rs.getBigDecimal("output_per_million_usd")), plain(rs.getBigDecimal("cached_input_per_million_usd")),
                rs.getTimestamp("effective_from").toInstant(), rs.getTimestamp("set_at").toInstant())).list();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("asOf", at);
        result.put("items", items);
        return result;
    }

    private static String plain(BigDecimal value) {
        return value.stripTrailingZeros().toPlainString();
    }
}
