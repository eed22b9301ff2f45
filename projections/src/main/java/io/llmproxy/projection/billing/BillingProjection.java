package io.llmproxy.projection.billing;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.projection.support.PgText;
import java.sql.Date;
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
     * Replay: empties {@code billing_daily} and recomputes it from the ledger in one transaction
     * (the consumer's writes wait for it, and land on the rebuilt table after it).
     *
     * @return the number of billing rows rebuilt
     */
    public int rebuild() {
        Integer rows = tx.execute(status -> {
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
        return rows == null ? 0 : rows;
    }
}
