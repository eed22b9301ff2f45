package io.llmproxy.query.finance;

import io.llmproxy.query.web.QueryRejected;
import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Monthly statements of a tenant, from the billing read model ({@code billing_daily}). */
@RestController
class StatementController {

    static final List<String> LINE_FIELDS = List.of("model", "providerId", "providerModel", "requests", "promptTokens",
            "cachedPromptTokens", "completionTokens", "costMicros", "costUsd", "unpricedRequests", "errors");

    private final JdbcClient jdbc;

    StatementController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * {@code GET /finance/v1/tenants/{tenantId}/statements/{yyyy-MM}} → {@code {"tenantId","month",
     * "from","to","lines":[{model, providerId, providerModel, requests, promptTokens, cachedPromptTokens,
     * completionTokens, costMicros, costUsd, unpricedRequests, errors}],"total":{…}}}: the calls of
     * the UTC calendar month, one line per public model × provider × provider model. {@code costMicros}
     * is USD micros (an integer), {@code costUsd} the same as a decimal string with 6 decimals;
     * {@code unpricedRequests} &gt; 0 means the total lacks those calls' (unknown) cost. CSV (lines
     * only) with {@code format=csv} or {@code Accept: text/csv}.
     *
     * @throws QueryRejected 400 when the month is not {@code yyyy-MM}; 404 when the tenant is unknown
     */
    @GetMapping("/finance/v1/tenants/{tenantId}/statements/{month}")
    ResponseEntity<?> statement(@PathVariable String tenantId, @PathVariable String month,
                                @RequestParam(required = false) String format,
                                @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        YearMonth ym;
        try {
            ym = YearMonth.parse(month);
        } catch (DateTimeParseException e) {
            throw QueryRejected.badParameter("month", "month must be yyyy-MM, e.g. 2026-11");
        }
        if (ym.getYear() < 1 || ym.getYear() > 9999) {
            throw QueryRejected.badParameter("month", "month must be between the years 1 and 9999");
        }
        LocalDate from = ym.atDay(1);
        LocalDate to = ym.plusMonths(1).atDay(1);
        List<Map<String, Object>> lines = jdbc.sql("""
                        SELECT model, provider_id, provider_model, sum(requests), sum(prompt_tokens), sum(cached_prompt_tokens),
                               sum(completion_tokens), sum(cost_micros), sum(unpriced_requests), sum(errors)
                        FROM billing_daily WHERE tenant_id = ? AND day >= ? AND day < ?
                        GROUP BY 1, 2, 3 ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3 NULLS FIRST""")
                .params(tenantId, Date.valueOf(from), Date.valueOf(to))
                .query((rs, i) -> {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("model", rs.getString(1));
                    line.put("providerId", rs.getString(2));
                    line.put("providerModel", rs.getString(3));
                    line.put("requests", rs.getLong(4));
                    line.put("promptTokens", rs.getLong(5));
                    line.put("cachedPromptTokens", rs.getLong(6));
                    line.put("completionTokens", rs.getLong(7));
                    line.put("costMicros", rs.getLong(8));
                    line.put("costUsd", usd(rs.getLong(8)));
                    line.put("unpricedRequests", rs.getLong(9));
                    line.put("errors", rs.getLong(10));
                    line.put("costComplete", rs.getLong(9) == 0);
                    return line;
                }).list();
        if (lines.isEmpty() && jdbc.sql("SELECT count(*) FROM rm_tenant WHERE tenant_id = ?").param(tenantId)
                .query(Long.class).single() == 0) {
            throw QueryRejected.notFound("tenantId", "tenant " + tenantId + " not found");
        }
        if (Csv.wanted(format, accept)) {
            return Csv.response(LINE_FIELDS, lines);
        }
        Map<String, Object> total = new LinkedHashMap<>();
        for (String f : List.of("requests", "promptTokens", "cachedPromptTokens", "completionTokens", "costMicros")) {
            total.put(f, lines.stream().mapToLong(l -> (long) l.get(f)).sum());
        }
        total.put("costUsd", usd((long) total.get("costMicros")));
        for (String f : List.of("unpricedRequests", "errors")) {
            total.put(f, lines.stream().mapToLong(l -> (long) l.get(f)).sum());
        }
        total.put("costComplete", (long) total.get("unpricedRequests") == 0);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tenantId", tenantId);
        result.put("month", ym.toString());
        result.put("from", from.atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
        result.put("to", to.atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
        result.put("lines", new ArrayList<>(lines));
        result.put("total", total);
        return ResponseEntity.ok(result);
    }

    /** @return USD micros as a decimal string with 6 decimals ({@code 7250} → {@code "0.007250"}) */
    static String usd(long micros) {
        return BigDecimal.valueOf(micros, 6).toPlainString();
    }
}
