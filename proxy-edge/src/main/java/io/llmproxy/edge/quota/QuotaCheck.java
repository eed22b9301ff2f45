package io.llmproxy.edge.quota;

import io.llmproxy.kernel.quota.QuotaScope;
import java.time.Instant;

/**
 * One counter to check and consume.
 *
 * @param key         Redis key, e.g. {@code llmq:{tenant}:API_KEY:k1:tpm:202611291030}; the
 *                    {@code {tenant}} hash tag keeps one tenant's counters in one cluster slot
 * @param kind        what it counts
 * @param scope       the policy level it comes from
 * @param limit       the limit (requests, tokens, concurrent calls, or USD micros for the monthly spend)
 * @param amount      what this call consumes (1 request, the reserved tokens, or the reserved cost in USD micros)
 * @param ttlSeconds  expiry set with the consumption: the window's end plus a margin
 * @param windowEnd   end of the calendar window (UTC); null for the concurrency counter
 */
public record QuotaCheck(String key, Kind kind, QuotaScope scope, long limit, long amount, long ttlSeconds,
                         Instant windowEnd) {

    /** Counter kinds, with their policy field name. */
    public enum Kind {
        REQUESTS_PER_MINUTE("requestsPerMinute", true, false),
        REQUESTS_PER_DAY("requestsPerDay", true, true),
        TOKENS_PER_MINUTE("tokensPerMinute", false, false),
        TOKENS_PER_DAY("tokensPerDay", false, true),
        TOKENS_PER_MONTH("tokensPerMonth", false, true),
        CONCURRENT_REQUESTS("maxConcurrentRequests", true, false),
        /** USD micros per UTC calendar month, priced with {@code io.llmproxy.kernel.billing.Pricing} (issue #5). */
        SPEND_PER_MONTH("monthlySpendLimitUsd", false, true);

        private final String field;
        private final boolean requests;
        private final boolean quota;

        Kind(String field, boolean requests, boolean quota) {
            this.field = field;
            this.requests = requests;
            this.quota = quota;
        }

        /** @return the policy field name, e.g. {@code tokensPerMinute} */
        public String field() {
            return field;
        }

        /** @return true when it counts requests (else tokens) */
        public boolean countsRequests() {
            return requests;
        }

        /** @return true for day/month quotas (OpenAI {@code insufficient_quota}), false for rate limits */
        public boolean isQuota() {
            return quota;
        }

        /** @return true when the settlement adjusts it by actual − reserved tokens */
        public boolean settlesTokens() {
            return !requests && this != SPEND_PER_MONTH;
        }

        /** @return true when it counts USD micros (settled by actual − reserved cost) */
        public boolean countsSpend() {
            return this == SPEND_PER_MONTH;
        }
    }
}
