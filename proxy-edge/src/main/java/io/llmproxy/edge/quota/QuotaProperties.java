package io.llmproxy.edge.quota;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Quota reservation settings ({@code llmproxy.edge.quota.*}; README "Quotas", ADR 0005).
 *
 * @param lease           how long a call may hold a concurrency slot, and how long a reservation
 *                        record lives: the longest a slot stays taken when an edge dies (or loses
 *                        Redis) without settling. Make it at least the longest call you serve
 *                        (default 10 minutes); a call that outlives it keeps running but no longer
 *                        counts against {@code maxConcurrentRequests}
 * @param compensation    how long the edge keeps retrying a release or a settlement that Redis did
 *                        not answer (stalled or dropped), in the background (default 2 minutes)
 */
@ConfigurationProperties("llmproxy.edge.quota")
public record QuotaProperties(@DefaultValue("10m") Duration lease, @DefaultValue("2m") Duration compensation) {
}
