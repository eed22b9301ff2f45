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
 * @param monthlySpendLimitUsd  USD per month, decimal string; enforced once prices exist (issue #5)
 */
public record QuotaLimits(Long requestsPerMinute, Long requestsPerDay, Long tokensPerMinute, Long tokensPerDay,
                          Long tokensPerMonth, Long maxConcurrentRequests, String monthlySpendLimitUsd) {

    /** No limit at all. */
    public static final QuotaLimits NONE = new QuotaLimits(null, null, null, null, null, null, null);
}
