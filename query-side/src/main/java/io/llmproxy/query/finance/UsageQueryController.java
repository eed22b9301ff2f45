package io.llmproxy.query.finance;

import io.llmproxy.query.web.Params;
import io.llmproxy.query.web.QueryRejected;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /finance/v1/usage}: usage and cost from the ledger ({@code usage_record}, one row per
 * usage event), grouped by any combination of dimensions.
 */
@RestController
class UsageQueryController {

    /** groupBy dimension → (item field, SQL expression over the ledger). Order = column order. */
    static final Map<String, String[]> DIMENSIONS = new LinkedHashMap<>();

    static {
        DIMENSIONS.put("tenant", new String[]{"tenantId", "tenant_id"});
        DIMENSIONS.put("user", new String[]{"userId", "user_id"});
        DIMENSIONS.put("apiKey", new String[]{"apiKeyId", "api_key_id"});
        DIMENSIONS.put("model", new String[]{"model", "model"});
        DIMENSIONS.put("provider", new String[]{"providerId", "provider_id"});
        DIMENSIONS.put("providerModel", new String[]{"providerModel", "provider_model"});
        DIMENSIONS.put("day", new String[]{"day", "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"});
        DIMENSIONS.put("month", new String[]{"month", "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM')"});
    }

    /** Metric item fields, in order, and their SQL aggregates over the ledger. */
    static final String[] METRICS = {"requests", "promptTokens", "cachedPromptTokens", "completionTokens", "totalTokens",
            "costMicros", "unpricedRequests", "errors"};
    private static final String METRIC_SQL = "count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(cached_prompt_tokens), 0), "
            + "coalesce(sum(completion_tokens), 0), coalesce(sum(total_tokens), 0), coalesce(sum(cost_micros), 0), "
            + "count(*) FILTER (WHERE unpriced), count(*) FILTER (WHERE outcome <> 'SUCCESS')";

    /** Filters: parameter → ledger column. */
    private static final Map<String, String> FILTERS = Map.of("tenantId", "tenant_id", "userId", "user_id",
            "apiKeyId", "api_key_id", "model", "model", "providerId", "provider_id");

    private final JdbcClient jdbc;

    UsageQueryController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * {@code GET /finance/v1/usage?tenantId=&userId=&apiKeyId=&model=&providerId=&from=&to=&groupBy=model,day&format=csv}:
     * usage of the calls in [from, to) (ISO-8601 instants; defaults: from the beginning, to now + 1
     * day), filtered by any of the ids, grouped by any combination (comma-separated) of
     * {@code tenant, user, apiKey, model, provider, providerModel, day, month} (UTC; default {@code model}).
     *
     * <p>JSON: {@code {"tenantId","from","to","groupBy","items":[{<dimensions>, requests, promptTokens,
     * cachedPromptTokens, completionTokens, totalTokens, costMicros, unpricedRequests, errors}],"totals":{…}}}.
     * Tokens are counts; {@code costMicros} is USD micros of the priced calls; {@code unpricedRequests}
     * counts calls of a provider model without a price (their cost is unknown, not 0); {@code errors}
     * counts calls whose outcome was not SUCCESS. With {@code format=csv} or {@code Accept: text/csv}:
     * RFC 4180 CSV with a header row (the same fields), items only.
     *
     * @throws QueryRejected 400 naming the parameter when an instant does not parse, from ≥ to,
     *                       or groupBy names an unknown dimension
     */
    @GetMapping("/finance/v1/usage")
    ResponseEntity<?> usage(@RequestParam(required = false) String tenantId, @RequestParam(required = false) String userId,
                            @RequestParam(required = false) String apiKeyId, @RequestParam(required = false) String model,
                            @RequestParam(required = false) String providerId,
                            @RequestParam(required = false) String from, @RequestParam(required = false) String to,
                            @RequestParam(defaultValue = "model") String groupBy,
                            @RequestParam(required = false) String format,
                            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        boolean csv = Csv.wanted(format, accept);
        Instant start = Params.instant("from", from, Instant.EPOCH);
        Instant end = Params.instant("to", to, Instant.now().plusSeconds(86_400));
        if (!start.isBefore(end)) {
            throw QueryRejected.badParameter("from", "from must be before to");
        }
        List<String> dims = parseGroupBy(groupBy);

        StringBuilder where = new StringBuilder("occurred_at >= ? AND occurred_at < ?");
        List<Object> params = new ArrayList<>(List.of(Timestamp.from(start), Timestamp.from(end)));
        Map<String, String> filterValues = new LinkedHashMap<>();
        filterValues.put("tenantId", tenantId);
        filterValues.put("userId", userId);
        filterValues.put("apiKeyId", apiKeyId);
        filterValues.put("model", model);
        filterValues.put("providerId", providerId);
        filterValues.forEach((name, value) -> {
            if (value != null) {
                where.append(" AND ").append(FILTERS.get(name)).append(" = ?");
                params.add(value);
            }
        });

        StringBuilder select = new StringBuilder();
        for (String d : dims) {
            select.append(DIMENSIONS.get(d)[1]).append(", ");
        }
        String groupOrder = dims.isEmpty() ? "" : " GROUP BY " + range(dims.size()) + " ORDER BY " + range(dims.size()) + " NULLS FIRST";
        List<Map<String, Object>> items = jdbc.sql("SELECT " + select + METRIC_SQL + " FROM usage_record WHERE " + where + groupOrder)
                .params(params)
                .query((rs, i) -> item(rs, dims))
                .list();
        if (dims.isEmpty() && !items.isEmpty() && (long) items.getFirst().get("requests") == 0) {
            items = List.of();
        }
        List<String> columns = new ArrayList<>();
        dims.forEach(d -> columns.add(DIMENSIONS.get(d)[0]));
        columns.addAll(List.of(METRICS));
        if (csv) {
            return Csv.response(columns, items);
        }
        Map<String, Object> totals = new LinkedHashMap<>();
        for (String m : METRICS) {
            totals.put(m, items.stream().mapToLong(it -> (long) it.get(m)).sum());
        }
        // false when some calls had no price: costMicros then lacks their (unknown) cost
        items.forEach(it -> it.put("costComplete", (long) it.get("unpricedRequests") == 0));
        totals.put("costComplete", (long) totals.get("unpricedRequests") == 0);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tenantId", tenantId);
        result.put("from", start);
        result.put("to", end);
        result.put("groupBy", String.join(",", dims));
        result.put("items", items);
        result.put("totals", totals);
        return ResponseEntity.ok(result);
    }

    static List<String> parseGroupBy(String groupBy) {
        Set<String> dims = new LinkedHashSet<>();
        for (String part : groupBy.split(",")) {
            String d = part.strip();
            if (d.isEmpty()) {
                continue;
            }
            if (!DIMENSIONS.containsKey(d)) {
                throw QueryRejected.badParameter("groupBy", "groupBy is a comma-separated list of: "
                        + String.join(", ", DIMENSIONS.keySet()));
            }
            dims.add(d);
        }
        // column order follows DIMENSIONS so that equal sets give equal answers
        return DIMENSIONS.keySet().stream().filter(dims::contains).toList();
    }

    private static String range(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            s.append(i == 1 ? "" : ", ").append(i);
        }
        return s.toString();
    }

    private static Map<String, Object> item(ResultSet rs, List<String> dims) throws SQLException {
        Map<String, Object> item = new LinkedHashMap<>();
        int col = 1;
        for (String d : dims) {
            item.put(DIMENSIONS.get(d)[0], rs.getString(col++));
        }
        for (String m : METRICS) {
            item.put(m, rs.getLong(col++));
        }
        return item;
    }
}
