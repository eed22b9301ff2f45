package io.llmproxy.projection.usage;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.projection.audit.AuditLog;
import io.llmproxy.projection.billing.BillingProjection;
import io.llmproxy.projection.billing.PriceLookup;
import io.llmproxy.projection.support.PgText;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * One poll of usage events applied inside the caller's transaction with a fixed number of
 * statements (issue #16): the ledger rows in one {@code INSERT … SELECT FROM unnest(arrays)}, then
 * billing and audit for the events counted now, in batch order (an id twice in the batch is kept
 * once, its first occurrence). Used once and dropped.
 *
 * <p>Two ways to write the ledger ({@code onConflict}): with {@code ON CONFLICT (event_id) DO
 * NOTHING RETURNING event_id}, whose returned ids are the events counted now (any poll, a
 * redelivered one too); or as a plain insert, which counts every event of the poll and fails with a
 * unique violation ({@code DuplicateKeyException}, the caller's transaction rolls back) when one was
 * counted before. The plain insert spares PostgreSQL the speculative-insertion probe of the primary
 * key per row (≈ 3 of ≈ 15 µs per ledger row, issue #16); {@link UsageProjection#applyAll} uses it
 * for polls that are not expected to hold redeliveries and repeats a failed one with ON CONFLICT.
 */
final class UsageBatch {

    private static final String INSERT_LEDGER = """
            INSERT INTO usage_record (event_id, tenant_id, api_key_id, endpoint, model, provider_id, provider_model,
                stream, prompt_tokens, completion_tokens, total_tokens, latency_ms, http_status, outcome, occurred_at,
                usage_estimated, user_id, cached_prompt_tokens, cost_micros, unpriced, price_effective_from, payload)
            SELECT e, t, k, ep, m, p, pm, st, pt, ct, tt, l, hs, o, oa::timestamptz, ue, u, cpt, c, up, pe::timestamptz, pl
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[],
                ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::int[], ?::text[], ?::text[], ?::boolean[], ?::text[],
                ?::bigint[], ?::bigint[], ?::boolean[], ?::text[], ?::text[])
                AS x(e, t, k, ep, m, p, pm, st, pt, ct, tt, l, hs, o, oa, ue, u, cpt, c, up, pe, pl)""";
    private static final String ON_CONFLICT = " ON CONFLICT (event_id) DO NOTHING RETURNING event_id";

    private final JdbcTemplate jdbc;
    private final PriceLookup.BatchLookup prices;
    private final BillingProjection billing;
    private final AuditLog auditLog;

    /** What to do with each newly counted, priced event and its cost in USD micros (the cost metric, after commit). */
    private final java.util.function.ObjLongConsumer<UsageRecorded> costed;
    private final boolean onConflict;

    /**
     * @param onConflict true: the ledger insert skips events counted before (ON CONFLICT … RETURNING);
     *                   false: a plain insert, failing with {@code DuplicateKeyException} on such an event
     */
    UsageBatch(JdbcTemplate jdbc, PriceLookup.BatchLookup prices, BillingProjection billing, AuditLog auditLog,
               java.util.function.ObjLongConsumer<UsageRecorded> costed, boolean onConflict) {
        this.costed = costed;
        this.onConflict = onConflict;
        this.jdbc = jdbc;
        this.prices = prices;
        this.billing = billing;
        this.auditLog = auditLog;
    }

    private int countedBefore;

    /** @return how many distinct events of the last {@link #apply} had been counted before (0 without ON CONFLICT) */
    int countedBefore() {
        return countedBefore;
    }

    /** @return how many events were new and counted */
    int apply(List<UsageProjection.Received> received) {
        Map<String, UsageProjection.Received> unique = new LinkedHashMap<>();
        for (UsageProjection.Received r : received) {
            unique.putIfAbsent(PgText.clean(r.event().eventId()), r);
        }
        int n = unique.size();
        if (n == 0) {
            return 0;
        }
        String[][] text = new String[12][n];
        Boolean[][] flags = new Boolean[3][n];
        Long[][] numbers = new Long[6][n];
        Integer[] status = new Integer[n];
        List<BillingProjection.Billed> billed = new ArrayList<>(n);
        int i = 0;
        for (UsageProjection.Received r : unique.values()) {
            UsageRecorded e = r.event();
            var price = e.providerId() == null ? null : prices.at(e.providerId(), e.providerModel(), e.occurredAt()).orElse(null);
            Long cost = UsageProjection.cost(e, price);
            boolean unpriced = e.providerId() != null && (price == null || cost == null);
            billed.add(new BillingProjection.Billed(e, cost, unpriced));
            text[0][i] = PgText.clean(e.eventId());
            text[1][i] = PgText.clean(e.tenantId());
            text[2][i] = PgText.clean(e.apiKeyId());
            text[3][i] = PgText.clean(e.endpoint());
            text[4][i] = PgText.clean(e.model());
            text[5][i] = PgText.clean(e.providerId());
            text[6][i] = PgText.clean(e.providerModel());
            text[7][i] = e.outcome().name();
            text[8][i] = timestamp(e.occurredAt());
            text[9][i] = PgText.clean(e.userId());
            text[10][i] = price == null ? null : timestamp(price.effectiveFrom());
            text[11][i] = PgText.clean(r.rawJson());
            flags[0][i] = e.stream();
            flags[1][i] = e.usageEstimated();
            flags[2][i] = unpriced;
            numbers[0][i] = e.promptTokens();
            numbers[1][i] = e.completionTokens();
            numbers[2][i] = e.totalTokens();
            numbers[3][i] = e.latencyMs();
            numbers[4][i] = e.cachedPromptTokens();
            numbers[5][i] = cost;
            status[i] = e.httpStatus();
            i++;
        }
        org.springframework.jdbc.core.PreparedStatementCreator insert = con -> {
            PreparedStatement ps = con.prepareStatement(onConflict ? INSERT_LEDGER + ON_CONFLICT : INSERT_LEDGER);
            int p = 1;
            for (int c = 0; c < 7; c++) {
                ps.setArray(p++, con.createArrayOf("text", text[c]));
            }
            ps.setArray(p++, con.createArrayOf("bool", flags[0]));                 // stream
            for (int c = 0; c < 4; c++) {
                ps.setArray(p++, con.createArrayOf("int8", numbers[c]));          // prompt, completion, total, latency
            }
            ps.setArray(p++, con.createArrayOf("int4", status));
            ps.setArray(p++, con.createArrayOf("text", text[7]));                 // outcome
            ps.setArray(p++, con.createArrayOf("text", text[8]));                 // occurred_at
            ps.setArray(p++, con.createArrayOf("bool", flags[1]));                // usage_estimated
            ps.setArray(p++, con.createArrayOf("text", text[9]));                 // user_id
            ps.setArray(p++, con.createArrayOf("int8", numbers[4]));              // cached_prompt_tokens
            ps.setArray(p++, con.createArrayOf("int8", numbers[5]));              // cost_micros
            ps.setArray(p++, con.createArrayOf("bool", flags[2]));                // unpriced
            ps.setArray(p++, con.createArrayOf("text", text[10]));                // price_effective_from
            ps.setArray(p++, con.createArrayOf("text", text[11]));                // payload
            return ps;
        };
        Set<String> inserted;
        if (onConflict) {
            inserted = new HashSet<>(jdbc.query(insert, (rs, row) -> rs.getString(1)));
        } else {
            jdbc.update(insert); // every row is new, or the statement fails (unique violation)
            inserted = unique.keySet();
        }
        countedBefore = n - inserted.size();
        if (inserted.isEmpty()) {
            return 0;
        }
        List<BillingProjection.Billed> counted = new ArrayList<>(inserted.size());
        List<AuditLog.Entry> audit = new ArrayList<>(inserted.size());
        for (BillingProjection.Billed b : billed) {
            UsageRecorded e = b.event();
            if (inserted.contains(PgText.clean(e.eventId()))) {
                counted.add(b);
                audit.add(new AuditLog.Entry(e.eventId(), e.tenantId(), e.occurredAt(), UsageProjection.auditData(e)));
            }
        }
        billing.addAll(counted);
        auditLog.appendAll(AuditLog.SOURCE_USAGE, "UsageRecorded", audit);
        for (BillingProjection.Billed b : counted) {
            if (b.costMicros() != null && b.costMicros() > 0 && b.event().providerId() != null) {
                costed.accept(b.event(), b.costMicros());
            }
        }
        return counted.size();
    }

    /**
     * @return the instant as text PostgreSQL reads as {@code timestamptz}, as the JDBC driver would
     *         send a {@link Timestamp} of it (rounded to microseconds by PostgreSQL); an instant
     *         PostgreSQL cannot take makes the batch fail and the consumer apply it alone
     */
    private static String timestamp(java.time.Instant at) {
        return at.toString();
    }
}
