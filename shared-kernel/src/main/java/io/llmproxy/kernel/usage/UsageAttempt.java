package io.llmproxy.kernel.usage;

/**
 * One upstream attempt of a call through the edge (issue #11), in the order they were made.
 *
 * @param providerId    the provider connection tried
 * @param providerModel the provider's model name tried
 * @param httpStatus    the provider's HTTP status; 0 when none came (connect failure, timeout)
 * @param error         null for the attempt that served; else a bounded code: {@code http_<status>},
 *                      {@code timeout}, {@code unreachable}, {@code provider_unavailable}, {@code cancelled}
 *                      (the client left before the provider answered; status 0)
 * @param latencyMs     from sending the request to the provider's status (or the failure), milliseconds
 * @param served        true for the attempt whose answer the client got (at most one per call)
 */
public record UsageAttempt(String providerId, String providerModel, int httpStatus, String error, long latencyMs,
                           boolean served) {
}
