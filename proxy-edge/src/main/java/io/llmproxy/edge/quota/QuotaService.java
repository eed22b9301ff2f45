package io.llmproxy.edge.quota;

import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.edge.quota.QuotaCheck.Kind;
import io.llmproxy.edge.quota.QuotaDecision.Refusal;
import io.llmproxy.edge.quota.QuotaDecision.Reservation;
import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ApiKeyEntry;
import io.llmproxy.kernel.billing.Pricing;
import io.llmproxy.kernel.quota.QuotaLimits;
import io.llmproxy.kernel.quota.QuotaScope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.redisson.api.RScript;
import org.redisson.api.RedissonReactiveClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Enforces quota policies in Redis, shared by every edge replica: one atomic Lua call before the
 * upstream call checks and consumes every counter of the tenant, user and key (tokens reserved
 * as prompt estimate + max completion tokens), and one after it settles the reservation with
 * the actual usage and releases the concurrency slot. Nothing is checked, and Redis is not
 * touched, when no policy applies.
 *
 * <p>Every reservation has an id and a record in Redis listing what it added (ADR 0005, issue #9):
 * settling and releasing are idempotent by that id, concurrency slots are leases that expire with
 * {@link QuotaProperties#lease()}, and when a reserve times out or its connection drops the edge
 * sends a compensating release (retried in the background for {@link QuotaProperties#compensation()})
 * that undoes the reserve if it landed, and leaves a tombstone so that a reserve that lands later
 * consumes nothing. A settlement Redis did not answer is retried the same way. So no timeout,
 * dropped connection or late script leaves a counter holding what no call uses.
 *
 * <p>When Redis does not answer within {@code quotaStoreTimeout}: a tenant whose policy says
 * {@code whenQuotaStoreDown: fail-open} is served against this replica's in-memory counters;
 * every other tenant gets 503 {@code quota_store_unavailable} (fail-closed, the default).
 */
@Component
public class QuotaService {

    private static final Logger log = LoggerFactory.getLogger(QuotaService.class);
    /** What {@code reserve.lua} answers when the reservation was released before it ran. */
    private static final long RELEASED = 2;

    private final QuotaScripts scripts;
    private final Clock clock;
    private final Duration timeout;
    private final LocalQuotaCounters local = new LocalQuotaCounters();
    private final Counter storeFailures;
    private final Counter compensations;
    private final QuotaProperties quota;

    public QuotaService(RedissonReactiveClient redis, Clock clock, EdgeProperties properties, QuotaProperties quota,
                        MeterRegistry meters) {
        this.scripts = new QuotaScripts(redis);
        this.clock = clock;
        this.timeout = properties.quotaStoreTimeout();
        this.quota = quota;
        this.storeFailures = meters.counter("llmproxy.quota.store.failures");
        this.compensations = meters.counter("llmproxy.quota.compensations");
        scripts.warmUp();
    }

    /**
     * Checks and consumes the counters for one call.
     *
     * @param key            the authenticated key
     * @param snapshot       where the policies come from
     * @param reservedTokens tokens to reserve (prompt estimate + max completion tokens)
     */
    public Mono<QuotaDecision> reserve(ApiKeyEntry key, EdgeSnapshot snapshot, long reservedTokens) {
        return reserve(key, snapshot, reservedTokens, 0, null, null);
    }

    /**
     * Checks and consumes the counters for one call, including the monthly USD spend: the cost of
     * the reserved tokens ({@link Pricing#costMicros} with the price in force now of the provider
     * model, prompt estimate as uncached input and the rest as output) is reserved, and settled to
     * the cost of the actual usage after the call. A provider model without a price is not counted
     * against the spend limit (billing flags such calls as unpriced).
     *
     * @param reservedTokens tokens to reserve (prompt estimate + max completion tokens)
     * @param promptEstimate the prompt part of {@code reservedTokens}
     * @param providerId     provider the call goes to (null: no spend check)
     * @param providerModel  the provider's model (what prices are keyed by)
     */
    public Mono<QuotaDecision> reserve(ApiKeyEntry key, EdgeSnapshot snapshot, long reservedTokens, long promptEstimate,
                                       String providerId, String providerModel) {
        Instant at = clock.instant();
        Pricing.Price price = providerId == null ? null : snapshot.price(providerId, providerModel, at);
        Long reservedCost = null;
        if (price != null) {
            long prompt = Math.min(Math.max(0, promptEstimate), reservedTokens);
            reservedCost = Pricing.costMicros(price, prompt, 0, reservedTokens - prompt);
        }
        return reserve(key, snapshot, reservedTokens, price, reservedCost);
    }

    private Mono<QuotaDecision> reserve(ApiKeyEntry key, EdgeSnapshot snapshot, long reservedTokens, Pricing.Price price,
                                        Long reservedCost) {
        QuotaLimits tenantPolicy = snapshot.quota(QuotaScope.TENANT, key.tenantId());
        List<QuotaPlan.Level> levels = new ArrayList<>(3);
        levels.add(new QuotaPlan.Level(QuotaScope.TENANT, key.tenantId(), tenantPolicy));
        levels.add(new QuotaPlan.Level(QuotaScope.USER, key.ownerUserId(), snapshot.quota(QuotaScope.USER, key.ownerUserId())));
        levels.add(new QuotaPlan.Level(QuotaScope.API_KEY, key.apiKeyId(), snapshot.quota(QuotaScope.API_KEY, key.apiKeyId())));
        Instant now = clock.instant();
        List<QuotaCheck> checks = QuotaPlan.checks(key.tenantId(), levels, now, reservedTokens, reservedCost);
        if (checks.isEmpty()) {
            return Mono.just(new QuotaDecision(true, Map.of(), null, Reservation.NONE));
        }
        String id = io.llmproxy.edge.call.EventIds.next().toString();
        String tenantTag = "llmq:{" + key.tenantId() + "}:";
        ReservationKeys ids = new ReservationKeys(id, tenantTag + "res:" + id, tenantTag + "rel:" + id);
        List<Object> keys = new ArrayList<>(checks.size() + 2);
        List<Object> args = new ArrayList<>(checks.size() * 4 + 3);
        keys.add(ids.record());
        keys.add(ids.tombstone());
        args.add(id);
        args.add(Long.toString(now.toEpochMilli()));
        args.add(Long.toString(quota.lease().toMillis()));
        for (QuotaCheck c : checks) {
            keys.add(c.key());
            args.add(Long.toString(c.limit()));
            args.add(Long.toString(c.amount()));
            args.add(Long.toString(c.ttlSeconds()));
            args.add(c.kind() == Kind.CONCURRENT_REQUESTS ? "lease" : "count");
        }
        Mono<List<Object>> remote = scripts.<List<Object>>run(QuotaScripts.Script.RESERVE, RScript.ReturnType.LIST, keys, args.toArray())
                .timeout(timeout, LoopTimers.current());
        return remote
                .map(result -> {
                    List<Long> values = longs(result);
                    if (values.get(0) == RELEASED) {
                        throw new IllegalStateException("reservation " + id + " was released before it ran");
                    }
                    return decide(checks, values, now, false, price, ids);
                })
                .onErrorResume(e -> {
                    storeFailures.increment();
                    // the reserve may still run when Redis answers again (a stall, a dropped reply):
                    // give it up, so that whatever it adds is undone, or never added
                    compensate("release", ids, scripts.<Object>run(QuotaScripts.Script.RELEASE, RScript.ReturnType.LONG,
                            List.of(ids.record(), ids.tombstone()),
                            new Object[] {id, Long.toString(quota.lease().plus(quota.compensation()).toMillis())}));
                    boolean failOpen = tenantPolicy != null && QuotaLimits.FAIL_OPEN.equals(tenantPolicy.whenQuotaStoreDown());
                    // an Error is a defect, not Redis being away: its stack trace goes with it
                    log.warn("Quota store unavailable ({}); tenant {} fails {}", rootCause(e), key.tenantId(),
                            failOpen ? "open (local counters)" : "closed", e instanceof Error ? e : null);
                    if (!failOpen) {
                        return Mono.just(new QuotaDecision(false, Map.of(), new Refusal(503, "server_error",
                                "quota_store_unavailable", "Quota enforcement is unavailable; try again shortly.", 1,
                                "quota_store_unavailable"), null));
                    }
                    return Mono.just(decide(checks, local.reserve(checks, now), now, true, price, ids));
                });
    }

    /**
     * The Redis keys of one reservation, all under the tenant's {@code {hash tag}}.
     *
     * @param id        the reservation id (also the lease member in the concurrency sorted sets)
     * @param record    hash: counter key → amount the reserve added, or {@code lease}
     * @param tombstone set by a release: a reserve that runs later for this id consumes nothing
     */
    record ReservationKeys(String id, String record, String tombstone) {
    }

    /**
     * Runs a compensating script (a release, or a settlement Redis did not answer) in the
     * background until Redis answers, for at most {@link QuotaProperties#compensation()}; both are
     * idempotent by reservation id, so a retry after a lost reply changes nothing. Never blocks.
     */
    private void compensate(String what, ReservationKeys ids, Mono<Object> script) {
        compensations.increment();
        script.timeout(timeout.multipliedBy(4), LoopTimers.current())
                .retryWhen(reactor.util.retry.Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
                        .maxBackoff(Duration.ofSeconds(5)))
                .timeout(quota.compensation())
                .subscribe(ok -> { }, e -> log.warn("Quota {} of reservation {} gave up after {} ({}); its lease expires "
                        + "by itself within {}", what, ids.id(), quota.compensation(), rootCause(e), quota.lease()));
    }

    private QuotaDecision decide(List<QuotaCheck> checks, List<Long> result, Instant now, boolean localCounters,
                                 Pricing.Price price, ReservationKeys ids) {
        if (result.get(0) == 0L) {
            QuotaCheck refused = checks.get(result.get(1).intValue() - 1);
            return new QuotaDecision(false, headers(checks, null, now), refusal(refused, result.get(2), now), null);
        }
        List<Long> values = result.subList(1, result.size());
        return new QuotaDecision(true, headers(checks, values, now), null, settlement(checks, localCounters, price, ids));
    }

    private Reservation settlement(List<QuotaCheck> checks, boolean localCounters, Pricing.Price price,
                                   ReservationKeys ids) {
        return (actualTokens, usage) -> {
            List<String> keys = new ArrayList<>();
            List<Long> deltas = new ArrayList<>();
            java.util.Set<String> leaseKeys = new java.util.HashSet<>(2);
            for (QuotaCheck c : checks) {
                if (c.kind().settlesTokens()) {
                    keys.add(c.key());
                    deltas.add(actualTokens - c.amount());
                } else if (c.kind().countsSpend()) {
                    Long cost;
                    try {
                        cost = Pricing.costMicros(price, usage.promptTokens(), usage.cachedPromptTokens(),
                                usage.completionTokens());
                    } catch (ArithmeticException e) {
                        cost = null;
                    }
                    if (cost != null) {
                        keys.add(c.key());
                        deltas.add(cost - c.amount());
                    }
                } else if (c.kind() == Kind.CONCURRENT_REQUESTS) {
                    keys.add(c.key());
                    deltas.add(-1L);
                    leaseKeys.add(c.key());
                }
            }
            if (keys.isEmpty()) {
                return;
            }
            if (localCounters) {
                local.settle(keys, deltas, clock.instant());
                return;
            }
            List<Object> scriptKeys = new ArrayList<>(keys.size() + 1);
            List<Object> args = new ArrayList<>(keys.size() + 1);
            scriptKeys.add(ids.record());
            args.add(ids.id());
            for (int i = 0; i < keys.size(); i++) {
                scriptKeys.add(keys.get(i));
                args.add(leaseKeys.contains(keys.get(i)) ? "lease" : String.valueOf(deltas.get(i)));
            }
            Mono<Object> settle = scripts.<Object>run(QuotaScripts.Script.SETTLE, RScript.ReturnType.LONG, scriptKeys, args.toArray());
            settle.timeout(timeout.multipliedBy(4), LoopTimers.current())
                    .subscribe(ok -> { }, e -> {
                        storeFailures.increment();
                        compensate("settlement", ids, settle);
                    });
        };
    }

    private static Refusal refusal(QuotaCheck check, long current, Instant now) {
        long retryAfter = QuotaPlan.retryAfterSeconds(check, now);
        String level = check.scope().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        String what = check.kind().countsRequests() ? "requests" : "tokens";
        String message = check.kind() == Kind.CONCURRENT_REQUESTS
                ? "Too many concurrent requests for this " + level + ": limit " + check.limit() + "."
                : check.kind().countsSpend()
                ? "Monthly spend limit (monthlySpendLimitUsd) reached on this " + level + ": limit "
                        + java.math.BigDecimal.valueOf(check.limit(), 6).stripTrailingZeros().toPlainString() + " USD, used "
                        + java.math.BigDecimal.valueOf(current, 6).toPlainString() + " USD, this call may cost up to "
                        + java.math.BigDecimal.valueOf(check.amount(), 6).toPlainString() + " USD. It resets on the 1st (UTC)."
                : "Limit reached for " + what + " (" + check.kind().field() + ") on this " + level + ": limit "
                        + check.limit() + ", used " + current + ", requested " + check.amount()
                        + ". Please try again in " + retryAfter + "s.";
        String reason = "quota:" + check.scope().name() + ":" + check.kind().field();
        if (check.kind().isQuota()) {
            return new Refusal(429, "insufficient_quota", "insufficient_quota", message, retryAfter, reason);
        }
        return new Refusal(429, what, "rate_limit_exceeded", message, retryAfter, reason);
    }

    /**
     * OpenAI's rate-limit headers (https://platform.openai.com/docs/guides/rate-limits): for
     * requests and for tokens, the counter with the least headroom among those that apply.
     */
    private static Map<String, String> headers(List<QuotaCheck> checks, List<Long> values, Instant now) {
        Map<String, String> headers = new LinkedHashMap<>();
        put(headers, "requests", checks, values, now, true);
        put(headers, "tokens", checks, values, now, false);
        return headers;
    }

    private static void put(Map<String, String> headers, String suffix, List<QuotaCheck> checks, List<Long> values,
                            Instant now, boolean requests) {
        QuotaCheck best = null;
        long bestRemaining = Long.MAX_VALUE;
        for (int i = 0; i < checks.size(); i++) {
            QuotaCheck c = checks.get(i);
            if (c.kind().countsRequests() != requests || c.kind().countsSpend() || c.windowEnd() == null) {
                continue;
            }
            long used = values == null ? c.limit() : values.get(i);
            long remaining = Math.max(0, c.limit() - used);
            if (remaining < bestRemaining) {
                best = c;
                bestRemaining = remaining;
            }
        }
        if (best != null) {
            headers.put("x-ratelimit-limit-" + suffix, Long.toString(best.limit()));
            headers.put("x-ratelimit-remaining-" + suffix, Long.toString(bestRemaining));
            headers.put("x-ratelimit-reset-" + suffix, QuotaPlan.resetFormat(Duration.between(now, best.windowEnd())));
        }
    }

    static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e.getClass().getSimpleName() + " caused by " + root;
    }

    private static List<Long> longs(List<Object> result) {
        List<Long> out = new ArrayList<>(result.size());
        for (Object o : result) {
            out.add(o instanceof Number n ? n.longValue() : Long.parseLong(o.toString()));
        }
        return out;
    }
}
