package io.llmproxy.query.finance;

import io.llmproxy.query.web.Params;
import io.llmproxy.query.web.QueryRejected;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Finance reads of the billing read model ({@code usage_record}). */
@RestController
class UsageQueryController {

    /**
     * Usage of one group.
     *
     * @param requests         number of calls (every outcome)
     * @param promptTokens     Σ input tokens as the providers reported them
     * @param completionTokens Σ output tokens
     * @param totalTokens      Σ prompt + completion tokens
     */
    record UsageItem(String model, long requests, long promptTokens, long completionTokens, long totalTokens) {
    }

    private final JdbcClient jdbc;

    UsageQueryController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * {@code GET /finance/v1/usage?tenantId=&from=&to=&groupBy=model}: usage in [from, to)
     * (ISO-8601 instants; defaults: from the beginning, to now + 1 day) grouped by public model
     * name → {@code {"tenantId","from","to","groupBy","items":[UsageItem]}}.
     *
     * @throws QueryRejected 400 naming the parameter when an instant does not parse, from ≥ to,
     *                       or groupBy is not {@code model}
     */
    @GetMapping("/finance/v1/usage")
    Map<String, Object> usage(@RequestParam String tenantId, @RequestParam(required = false) String from,
                              @RequestParam(required = false) String to,
                              @RequestParam(defaultValue = "model") String groupBy) {
        Instant start = Params.instant("from", from, Instant.EPOCH);
        Instant end = Params.instant("to", to, Instant.now().plusSeconds(86_400));
        if (!start.isBefore(end)) {
            throw QueryRejected.badParameter("from", "from must be before to");
        }
        if (!"model".equals(groupBy)) {
            throw QueryRejected.badParameter("groupBy", "groupBy supports: model");
        }
        List<UsageItem> items = jdbc.sql("""
                        SELECT model, count(*), sum(prompt_tokens), sum(completion_tokens), sum(total_tokens)
                        FROM usage_record WHERE tenant_id = ? AND occurred_at >= ? AND occurred_at < ?
                        GROUP BY model ORDER BY model""")
                .params(tenantId, Timestamp.from(start), Timestamp.from(end))
                .query((rs, i) -> new UsageItem(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                        rs.getLong(5)))
                .list();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tenantId", tenantId);
        result.put("from", start);
        result.put("to", end);
        result.put("groupBy", groupBy);
        result.put("items", items);
        return result;
    }

}
