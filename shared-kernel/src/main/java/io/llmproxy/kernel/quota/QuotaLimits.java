package io.llmproxy.kernel.quota;

/**
 * A quota policy's limits; each null means "no limit at this level". Windows are calendar
 * windows in UTC (the minute, the day, the month).
 *
 * @param requestsPerMinute     calls per UTC minute
 * @param requestsPerDay        calls per UTC day
 * @param tokensPerMinute       prompt + completion tokens per UTC minute
 * @param tokensPerDay          tokens per UTC day
 * @param tokensPerMonth        tokens per UTC calendar month
 * @param maxConcurrentRequests calls in flight at once
 * @param monthlySpendLimitUsd  USD per UTC calendar month, decimal string; enforced by the edge in USD micros
 *                              with {@code io.llmproxy.kernel.billing.Pricing} (calls of unpriced models are not counted)
 * @param whenQuotaStoreDown    tenant level only: what the edge does when Redis cannot be reached,
 *                              {@code fail-closed} (default: refuse with 503) or {@code fail-open}
 *                              (serve, counting in the edge's own memory)
 */
public record QuotaLimits(Long requestsPerMinute, Long requestsPerDay, Long tokensPerMinute, Long tokensPerDay,
                          Long tokensPerMonth, Long maxConcurrentRequests, String monthlySpendLimitUsd,
                          String whenQuotaStoreDown) {

    /** Value of {@code whenQuotaStoreDown} that serves on local counters. */
    public static final String FAIL_OPEN = "fail-open";
    /** Value of {@code whenQuotaStoreDown} that refuses (the default). */
    public static final String FAIL_CLOSED = "fail-closed";

    /** No limit at all. */
    public static final QuotaLimits NONE = new QuotaLimits(null, null, null, null, null, null, null, null);

    /** Limits without a quota-store policy. */
    public QuotaLimits(Long requestsPerMinute, Long requestsPerDay, Long tokensPerMinute, Long tokensPerDay,
                       Long tokensPerMonth, Long maxConcurrentRequests, String monthlySpendLimitUsd) {
        this(requestsPerMinute, requestsPerDay, tokensPerMinute, tokensPerDay, tokensPerMonth, maxConcurrentRequests,
                monthlySpendLimitUsd, null);
    }
}
