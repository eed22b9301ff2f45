package io.llmproxy.projection.usage;

import io.llmproxy.kernel.audit.SecretMasker;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.billing.Pricing;
import io.llmproxy.projection.audit.AuditLog;
import io.llmproxy.projection.billing.BillingProjection;
import io.llmproxy.projection.billing.PriceLookup;
import io.llmproxy.projection.support.PgText;
import java.sql.Timestamp;
import java.util.TreeMap;
import java.util.Map;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies one usage event to the ledger ({@code usage_record}: the raw event and its cost), the
 * billing read model ({@code billing_daily}) and the audit log, in one database transaction,
 * idempotently by {@code eventId}: a redelivered or replayed event changes nothing (ADR 0003).
 *
 * <p>Cost: {@link Pricing#costMicros} with the price of the provider model in force at the event's
 * {@code occurredAt} ({@link PriceLookup}); fixed in the ledger when the event is first consumed.
 * A call that never reached a provider ({@code providerId} null) costs 0; a call of a provider
 * model without a price has cost null and is counted in {@code unpriced_requests}.
 */
@Component
public class UsageProjection {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final AuditLog auditLog;
    private final PriceLookup prices;
    private final BillingProjection billing;
    private final MeterRegistry meters;
    private final PricesReplaying.Check replay;

    /** @param meters where {@value #COST} is counted (a simple in-memory registry when the app has none) */
    public UsageProjection(JdbcTemplate jdbc, TransactionTemplate tx, AuditLog auditLog, PriceLookup prices,
                           BillingProjection billing, ObjectProvider<MeterRegistry> meters) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.auditLog = auditLog;
        this.prices = prices;
        this.billing = billing;
        this.meters = meters.getIfAvailable(SimpleMeterRegistry::new);
        this.replay = new PricesReplaying.Check(jdbc);
    }

    /**
     * Cost of the calls recorded in the ledger, USD micros (Prometheus: {@code llmproxy_billing_cost_usd_micros_total}),
     * by {@code llmproxy.provider.id} and {@code gen_ai.response.model} (the provider model): both come from the
     * admin's route targets, so the series are bounded by configuration; no tenant. Counted once per new ledger
     * row, after its transaction commits; unpriced calls add nothing.
     */
    public static final String COST = "llmproxy.billing.cost";

    private void countCost(UsageRecorded e, long costMicros) {
        Runnable count = () -> io.micrometer.core.instrument.Counter.builder(COST).baseUnit("usd_micros")
                .description("cost of the calls recorded in the billing ledger")
                .tags("llmproxy.provider.id", String.valueOf(e.providerId()),
                        "gen_ai.response.model", String.valueOf(e.providerModel()))
                .register(meters).increment(costMicros);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    count.run();
                }
            });
        } else {
            count.run();
        }
    }

    /** @return true when the event was new and counted, false when it had been counted before */
    public boolean apply(UsageRecorded e) {
        return apply(e, null);
    }

    /**
     * @param rawJson the event as received on Kafka, kept in the ledger; null to store nothing
     * @return true when the event was new and counted, false when it had been counted before
     * @throws PricesReplaying while a replay rebuilds the prices (nothing written)
     */
    public boolean apply(UsageRecorded e, String rawJson) {
        return Boolean.TRUE.equals(tx.execute(status -> {
            boolean counted = applyInTransaction(e, rawJson);
            replay.requireNoReplay();
            return counted;
        }));
    }

    /**
     * One usage event as received.
     *
     * @param event   the parsed event
     * @param rawJson the JSON text as received (kept in the ledger)
     */
    public record Received(UsageRecorded event, String rawJson) {
    }

    /**
     * Applies a batch of events in ONE database transaction (a poll of the Kafka consumer): all
     * or nothing, each event counted at most once (also when it is in the batch twice), with a
     * fixed number of statements whatever the batch size ({@link UsageBatch}): prices read once
     * per provider model, one multi-row ledger insert that returns the new event ids, one
     * billing upsert of the sums per billing row, and the audit rows appended per tenant chain
     * ({@link AuditLog#appendAll}). The rows are the ones {@link #apply} would write event by event.
     * A poll with an event counted before may take two transactions (see {@link #redelivering}).
     *
     * @return how many events were new and counted
     * @throws PricesReplaying while a replay rebuilds the prices (nothing written)
     */
    public int applyAll(java.util.List<Received> batch) {
        if (!redelivering) {
            try {
                Integer counted = tx.execute(status -> pricedNow(batch(false).apply(batch)));
                return counted == null ? 0 : counted;
            } catch (org.springframework.dao.DuplicateKeyException countedBefore) {
                redelivering = true; // rolled back: the same poll again, skipping what was counted before
            }
        }
        UsageBatch skipping = batch(true);
        Integer counted = tx.execute(status -> pricedNow(skipping.apply(batch)));
        redelivering = skipping.countedBefore() > 0;
        return counted == null ? 0 : counted;
    }

    /**
     * Whether the last poll held events counted before (a redelivery: after a consumer restart or a
     * rebalance, or the edge's resend after a lost acknowledgement). Such polls, and the first one,
     * write the ledger with ON CONFLICT; the others with a plain insert ({@link UsageBatch}), which a
     * counted event makes fail and repeat with ON CONFLICT. Shared by the consumer threads: it only
     * picks the cheaper statement, never what is counted.
     */
    private volatile boolean redelivering = true;

    /** @return {@code counted}, once no replay rebuilds the prices just read ({@link PricesReplaying}) */
    private int pricedNow(int counted) {
        replay.requireNoReplay();
        return counted;
    }

    private UsageBatch batch(boolean onConflict) {
        return new UsageBatch(jdbc, prices.forBatch(), billing, auditLog, this::countCost, onConflict);
    }

    /** @return the cost in USD micros of {@code e} at {@code price} (null: unpriced), as the ledger keeps it */
    static Long cost(UsageRecorded e, PriceLookup.PriceInForce price) {
        try {
            return e.providerId() == null ? Long.valueOf(0L)
                    : Pricing.costMicros(price == null ? null : price.price(), e.promptTokens(), e.cachedPromptTokens(),
                            e.completionTokens());
        } catch (ArithmeticException overflow) {
            return null; // absurd token counts: flagged as unpriced rather than stopping the consumer
        }
    }

    private boolean applyInTransaction(UsageRecorded e, String rawJson) {
        var price = e.providerId() == null ? null : prices.at(e.providerId(), e.providerModel(), e.occurredAt()).orElse(null);
        Long cost = cost(e, price);
        boolean unpriced = e.providerId() != null && (price == null || cost == null);
        int inserted = jdbc.update("""
                INSERT INTO usage_record (event_id, tenant_id, api_key_id, endpoint, model, provider_id, provider_model,
                    stream, prompt_tokens, completion_tokens, total_tokens, latency_ms, http_status, outcome, occurred_at,
                    usage_estimated, user_id, cached_prompt_tokens, cost_micros, unpriced, price_effective_from, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING""",
                PgText.clean(e.eventId()), PgText.clean(e.tenantId()), PgText.clean(e.apiKeyId()),
                PgText.clean(e.endpoint()), PgText.clean(e.model()), PgText.clean(e.providerId()),
                PgText.clean(e.providerModel()), e.stream(), e.promptTokens(), e.completionTokens(), e.totalTokens(), e.latencyMs(), e.httpStatus(),
                e.outcome().name(), Timestamp.from(e.occurredAt()), e.usageEstimated(), PgText.clean(e.userId()),
                e.cachedPromptTokens(), cost, unpriced, price == null ? null : Timestamp.from(price.effectiveFrom()),
                PgText.clean(rawJson));
        if (inserted == 0) {
            return false;
        }
        billing.add(e, cost, unpriced);
        if (cost != null && cost > 0 && e.providerId() != null) {
            countCost(e, cost);
        }
        auditLog.append(e.eventId(), e.tenantId(), AuditLog.SOURCE_USAGE, "UsageRecorded", e.occurredAt(), auditData(e));
        return true;
    }

    static Map<String, Object> auditData(UsageRecorded e) {
        // in name order: AuditLog hashes a TreeMap of plain values without a JSON tree (the row's
        // JSON and hash do not depend on the map's order)
        Map<String, Object> data = new TreeMap<>();
        data.put("apiKeyId", e.apiKeyId());
        if (e.principal() != null && e.principal().startsWith("user:")) {
            // a Keycloak token's call (issue #10): its principal is the row's actor; API-key rows keep
            // their shape, so a replay rebuilds the rows they had
            data.put("principal", e.principal());
        }
        data.put("endpoint", e.endpoint());
        data.put("model", e.model());
        data.put("providerId", e.providerId());
        data.put("providerModel", e.providerModel());
        data.put("stream", e.stream());
        data.put("promptTokens", e.promptTokens());
        data.put("completionTokens", e.completionTokens());
        data.put("totalTokens", e.totalTokens());
        data.put("latencyMs", e.latencyMs());
        data.put("httpStatus", e.httpStatus());
        data.put("outcome", e.outcome().name());
        data.put("refusalReason", e.refusalReason());
        data.put("usageEstimated", e.usageEstimated());
        // schema 3: text of tenants that opted in, already masked at the edge; masked again in case
        // an older or foreign producer sent it unmasked. Absent for everybody else.
        if (e.promptText() != null) {
            data.put("promptText", PgText.clean(SecretMasker.mask(e.promptText())));
        }
        if (e.completionText() != null) {
            data.put("completionText", PgText.clean(SecretMasker.mask(e.completionText())));
        }
        return data;
    }
}
