package io.llmproxy.projection.billing;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.projection.support.PgText;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The billing read model {@code billing_daily}: per tenant × user × API key × model × provider
 * (and provider model) × UTC day, Σ requests, prompt, cached prompt and completion tokens, cost
 * (USD micros, priced calls only), unpriced requests and errors (outcome other than SUCCESS).
 *
 * <p>Written in the usage consumer's transaction, right after the ledger row ({@code usage_record})
 * was inserted, so a row is counted exactly when its ledger row is new. {@link #rebuild()} recomputes
 * the whole table from the ledger (the archive), giving row-for-row the same table.
 */
@Component
public class BillingProjection {

    /** Name of this projection in {@code POST /admin/v1/projections/{name}/replay}. */
    public static final String NAME = "billing";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public BillingProjection(JdbcTemplate jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /**
     * Adds one new ledger event to its day's row. Must run in the transaction that inserted the
     * ledger row.
     *
     * @param costMicros cost in USD micros, null when unpriced
     * @param unpriced   whether the call reached a provider model that had no price
     */
    public void add(UsageRecorded e, Long costMicros, boolean unpriced) {
        LocalDate day = LocalDate.ofInstant(e.occurredAt(), ZoneOffset.UTC);
        jdbc.update("""
                INSERT INTO billing_daily AS b (tenant_id, user_id, api_key_id, model, provider_id, provider_model, day,
                    requests, prompt_tokens, cached_prompt_tokens, completion_tokens, cost_micros, unpriced_requests, errors)
                VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
                ON CONFLICT ON CONSTRAINT billing_daily_key DO UPDATE SET
                    requests = b.requests + 1,
                    prompt_tokens = b.prompt_tokens + excluded.prompt_tokens,
                    cached_prompt_tokens = b.cached_prompt_tokens + excluded.cached_prompt_tokens,
                    completion_tokens = b.completion_tokens + excluded.completion_tokens,
                    cost_micros = b.cost_micros + excluded.cost_micros,
                    unpriced_requests = b.unpriced_requests + excluded.unpriced_requests,
                    errors = b.errors + excluded.errors""",
                PgText.clean(e.tenantId()), PgText.clean(e.userId()), PgText.clean(e.apiKeyId()), PgText.clean(e.model()),
                PgText.clean(e.providerId()), PgText.clean(e.providerModel()), Date.valueOf(day),
                e.promptTokens(), e.cachedPromptTokens(), e.completionTokens(), costMicros == null ? 0L : costMicros,
                unpriced ? 1 : 0, e.outcome() == UsageRecorded.Outcome.SUCCESS ? 0 : 1);
    }

    /**
     * One new ledger event to bill.
     *
     * @param event      the event (its ledger row was inserted in this transaction)
     * @param costMicros cost in USD micros, null when unpriced
     * @param unpriced   whether the call reached a provider model that had no price
     */
    public record Billed(UsageRecorded event, Long costMicros, boolean unpriced) {
    }

    /** The key of a {@code billing_daily} row (nulls are equal, as {@code UNIQUE NULLS NOT DISTINCT}). */
    private record Key(String tenantId, LocalDate day, String userId, String apiKeyId, String model, String providerId,
                       String providerModel) {
    }

    /**
     * Adds a batch of new ledger events, summed per billing row in memory first and then written
     * with one multi-row upsert ({@code unnest} of arrays), rows in key order so that two
     * consumers lock shared rows in the same order. Same result as {@link #add} per event. Must
     * run in the transaction that inserted the ledger rows.
     */
    public void addAll(List<Billed> batch) {
        Map<Key, long[]> sums = new TreeMap<>(KEY_ORDER);
        for (Billed b : batch) {
            UsageRecorded e = b.event();
            Key key = new Key(PgText.clean(e.tenantId()), LocalDate.ofInstant(e.occurredAt(), ZoneOffset.UTC),
                    PgText.clean(e.userId()), PgText.clean(e.apiKeyId()), PgText.clean(e.model()),
                    PgText.clean(e.providerId()), PgText.clean(e.providerModel()));
            long[] s = sums.computeIfAbsent(key, k -> new long[7]);
            s[0]++;
            s[1] += e.promptTokens();
            s[2] += e.cachedPromptTokens();
            s[3] += e.completionTokens();
            s[4] += b.costMicros() == null ? 0L : b.costMicros();
            s[5] += b.unpriced() ? 1 : 0;
            s[6] += e.outcome() == UsageRecorded.Outcome.SUCCESS ? 0 : 1;
        }
        if (sums.isEmpty()) {
            return;
        }
        int n = sums.size();
        String[][] text = new String[6][n];
        String[] days = new String[n];
        Long[][] metrics = new Long[7][n];
        int i = 0;
        for (Map.Entry<Key, long[]> entry : sums.entrySet()) {
            Key k = entry.getKey();
            text[0][i] = k.tenantId();
            text[1][i] = k.userId();
            text[2][i] = k.apiKeyId();
            text[3][i] = k.model();
            text[4][i] = k.providerId();
            text[5][i] = k.providerModel();
            days[i] = k.day().toString();
            for (int m = 0; m < 7; m++) {
                metrics[m][i] = entry.getValue()[m];
            }
            i++;
        }
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement("""
                    INSERT INTO billing_daily AS b (tenant_id, user_id, api_key_id, model, provider_id, provider_model, day,
                        requests, prompt_tokens, cached_prompt_tokens, completion_tokens, cost_micros, unpriced_requests, errors)
                    SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::date[],
                        ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
                    ON CONFLICT ON CONSTRAINT billing_daily_key DO UPDATE SET
                        requests = b.requests + excluded.requests,
                        prompt_tokens = b.prompt_tokens + excluded.prompt_tokens,
                        cached_prompt_tokens = b.cached_prompt_tokens + excluded.cached_prompt_tokens,
                        completion_tokens = b.completion_tokens + excluded.completion_tokens,
                        cost_micros = b.cost_micros + excluded.cost_micros,
                        unpriced_requests = b.unpriced_requests + excluded.unpriced_requests,
                        errors = b.errors + excluded.errors""");
            int p = 1;
            for (String[] column : text) {
                ps.setArray(p++, con.createArrayOf("text", column));
            }
            ps.setArray(p++, con.createArrayOf("text", days));
            for (Long[] column : metrics) {
                ps.setArray(p++, con.createArrayOf("int8", column));
            }
            return ps;
        });
    }

    private static final Comparator<String> NULLS_FIRST = Comparator.nullsFirst(Comparator.naturalOrder());
    private static final Comparator<Key> KEY_ORDER = Comparator.comparing(Key::tenantId, NULLS_FIRST)
            .thenComparing(Key::day)
            .thenComparing(Key::userId, NULLS_FIRST)
            .thenComparing(Key::apiKeyId, NULLS_FIRST)
            .thenComparing(Key::model, NULLS_FIRST)
            .thenComparing(Key::providerId, NULLS_FIRST)
            .thenComparing(Key::providerModel, NULLS_FIRST);

    /**
     * The advisory lock a rebuild holds for its transaction ({@code pg_try_advisory_xact_lock}), on
     * every instance sharing the database: a second rebuild is refused at once instead of queueing
     * behind the first with a request thread and a database connection.
     */
    public static final long REBUILD_LOCK = 0x6c6c6d70_62696c6cL; // "llmpbill"

    /**
     * Replay: empties {@code billing_daily} and recomputes it from the ledger in one transaction
     * (the consumer's writes wait for it, and land on the rebuilt table after it). One at a time
     * across instances ({@link #REBUILD_LOCK}).
     *
     * @return the number of billing rows rebuilt; empty when another rebuild is running (nothing done)
     */
    public OptionalInt rebuild() {
        Integer rows = tx.execute(status -> {
            if (!Boolean.TRUE.equals(jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(?)", Boolean.class, REBUILD_LOCK))) {
                return null;
            }
            jdbc.execute("LOCK TABLE billing_daily IN ACCESS EXCLUSIVE MODE");
            jdbc.execute("TRUNCATE billing_daily");
            return jdbc.update("""
                    INSERT INTO billing_daily
                    SELECT tenant_id, user_id, api_key_id, model, provider_id, provider_model, (occurred_at AT TIME ZONE 'UTC')::date,
                           count(*), sum(prompt_tokens), sum(cached_prompt_tokens), sum(completion_tokens),
                           coalesce(sum(cost_micros), 0), count(*) FILTER (WHERE unpriced),
                           count(*) FILTER (WHERE outcome <> 'SUCCESS')
                    FROM usage_record
                    GROUP BY 1, 2, 3, 4, 5, 6, 7""");
        });
        return rows == null ? OptionalInt.empty() : OptionalInt.of(rows);
    }
}
