package io.llmproxy.query.finance;

import io.llmproxy.query.web.QueryRejected;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reconciliation of the billing read model against the ledger: per tenant and UTC day, Σ of the
 * usage events in the ledger ({@code usage_record}) vs Σ of the billing rows ({@code billing_daily}).
 */
@RestController
class ReconciliationController {

    static final List<String> FIELDS = List.of("requests", "promptTokens", "cachedPromptTokens", "completionTokens",
            "costMicros", "unpricedRequests", "errors");

    private final JdbcClient jdbc;

    ReconciliationController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * {@code GET /finance/v1/reconciliation?from=2026-11-01&to=2026-12-01[&tenantId=]} (UTC dates, or
     * instants at midnight UTC; [from, to); from and to required) → {@code {"from","to","tenantId",
     * "days","matched","differences":N,"items":[{tenantId, day, ledger:{…}, billing:{…}, difference:{field:
     * billing − ledger}}]}}. {@code items} lists every tenant-day; {@code difference} is empty when they
     * agree; {@code matched} is true when no tenant-day differs.
     *
     * @throws QueryRejected 400 naming the parameter when a date does not parse or from ≥ to
     */
    @GetMapping("/finance/v1/reconciliation")
    Map<String, Object> reconcile(@RequestParam String from, @RequestParam String to,
                                  @RequestParam(required = false) String tenantId) {
        LocalDate start = date("from", from);
        LocalDate end = date("to", to);
        if (!start.isBefore(end)) {
            throw QueryRejected.badParameter("from", "from must be before to");
        }
        String tenantFilter = tenantId == null ? "" : " AND tenant_id = ?";
        List<Object> params = new ArrayList<>();
        params.add(java.sql.Timestamp.from(start.atStartOfDay(ZoneOffset.UTC).toInstant()));
        params.add(java.sql.Timestamp.from(end.atStartOfDay(ZoneOffset.UTC).toInstant()));
        if (tenantId != null) {
            params.add(tenantId);
        }
        params.add(Date.valueOf(start));
        params.add(Date.valueOf(end));
        if (tenantId != null) {
            params.add(tenantId);
        }
        List<Map<String, Object>> items = jdbc.sql("""
                        WITH l AS (
                            SELECT coalesce(tenant_id, '') AS t, (occurred_at AT TIME ZONE 'UTC')::date AS d, count(*) AS requests,
                                   sum(prompt_tokens) AS p, sum(cached_prompt_tokens) AS c, sum(completion_tokens) AS o,
                                   coalesce(sum(cost_micros), 0) AS cost, count(*) FILTER (WHERE unpriced) AS u,
                                   count(*) FILTER (WHERE outcome <> 'SUCCESS') AS e
                            FROM usage_record WHERE occurred_at >= ? AND occurred_at < ?""" + tenantFilter + """
                             GROUP BY 1, 2),
                        b AS (
                            SELECT coalesce(tenant_id, '') AS t, day AS d, sum(requests) AS requests, sum(prompt_tokens) AS p,
                                   sum(cached_prompt_tokens) AS c, sum(completion_tokens) AS o, sum(cost_micros) AS cost,
                                   sum(unpriced_requests) AS u, sum(errors) AS e
                            FROM billing_daily WHERE day >= ? AND day < ?""" + tenantFilter + """
                             GROUP BY 1, 2)
                        SELECT coalesce(l.t, b.t), coalesce(l.d, b.d),
                               l.requests, l.p, l.c, l.o, l.cost, l.u, l.e,
                               b.requests, b.p, b.c, b.o, b.cost, b.u, b.e
                        FROM l FULL JOIN b ON l.t = b.t AND l.d = b.d
                        ORDER BY 1, 2""")
                .params(params)
                .query((rs, i) -> item(rs))
                .list();
        long differences = items.stream().filter(it -> !((Map<?, ?>) it.get("difference")).isEmpty()).count();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("from", start.toString());
        result.put("to", end.toString());
        result.put("tenantId", tenantId);
        result.put("days", items.size());
        result.put("matched", differences == 0);
        result.put("differences", differences);
        result.put("items", items);
        return result;
    }

    private static Map<String, Object> item(ResultSet rs) throws SQLException {
        Map<String, Object> ledger = new LinkedHashMap<>();
        Map<String, Object> billing = new LinkedHashMap<>();
        Map<String, Object> difference = new LinkedHashMap<>();
        for (int f = 0; f < FIELDS.size(); f++) {
            long l = rs.getLong(3 + f);
            long b = rs.getLong(3 + FIELDS.size() + f);
            ledger.put(FIELDS.get(f), l);
            billing.put(FIELDS.get(f), b);
            if (l != b) {
                difference.put(FIELDS.get(f), b - l);
            }
        }
        Map<String, Object> item = new LinkedHashMap<>();
        String tenant = rs.getString(1);
        item.put("tenantId", tenant.isEmpty() ? null : tenant);
        item.put("day", rs.getDate(2).toLocalDate().toString());
        item.put("ledger", ledger);
        item.put("billing", billing);
        item.put("difference", difference);
        return item;
    }

    /** @return a UTC date from {@code yyyy-MM-dd} or an ISO-8601 instant at midnight UTC */
    static LocalDate date(String name, String value) {
        try {
            LocalDate day;
            if (value.length() == 10) {
                day = LocalDate.parse(value);
            } else {
                Instant instant = Instant.parse(value);
                day = LocalDate.ofInstant(instant, ZoneOffset.UTC);
                if (!day.atTime(LocalTime.MIDNIGHT).toInstant(ZoneOffset.UTC).equals(instant)) {
                    throw QueryRejected.badParameter(name, name + " must be a UTC day: yyyy-MM-dd or an instant at 00:00:00Z");
                }
            }
            if (day.getYear() < 1 || day.getYear() > 9999) {
                throw QueryRejected.badParameter(name, name + " must be between the years 1 and 9999");
            }
            return day;
        } catch (DateTimeParseException e) {
            throw QueryRejected.badParameter(name, name + " must be a UTC day: yyyy-MM-dd or an instant at 00:00:00Z");
        }
    }
}
