package io.llmproxy.edge.quota;

import java.util.Map;

/**
 * The result of a quota check.
 *
 * @param allowed     whether the call may go on
 * @param headers     {@code x-ratelimit-*} headers for the response (empty when no limit applies)
 * @param refusal     why it was refused (null when allowed)
 * @param reservation what to settle once the call has finished (never null when allowed)
 */
public record QuotaDecision(boolean allowed, Map<String, String> headers, Refusal refusal, Reservation reservation) {

    /**
     * A refusal.
     *
     * @param status            429 (limit reached) or 503 (quota store down, tenant fails closed)
     * @param type              OpenAI error type: {@code requests}, {@code tokens}, {@code insufficient_quota}, {@code server_error}
     * @param code              OpenAI error code: {@code rate_limit_exceeded}, {@code insufficient_quota}, {@code quota_store_unavailable}
     * @param message           human-readable, names the limit and the level
     * @param retryAfterSeconds value of {@code Retry-After}
     * @param reason            for the usage event, e.g. {@code quota:API_KEY:tokensPerMinute}
     */
    public record Refusal(int status, String type, String code, String message, long retryAfterSeconds, String reason) {
    }

    /**
     * Settles a reservation with the usage actually billed (tokens, and their cost for the monthly
     * spend); called exactly once, never blocks.
     */
    @FunctionalInterface
    public interface Reservation {
        Reservation NONE = (actualTokens, billed) -> { };

        /**
         * @param actualTokens tokens the provider reported (or were seen), for the token counters
         * @param billed       the usage the usage event reports, priced for the spend counter
         */
        void settle(long actualTokens, io.llmproxy.edge.provider.TokenUsage billed);
    }
}
