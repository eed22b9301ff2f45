package io.llmproxy.edge.provider;

/**
 * A provider failure in canonical form, rendered by the client API in its own error format.
 *
 * @param status     HTTP status for the client (e.g. 429 kept, 5xx → 502, timeout → 504)
 * @param type       OpenAI error {@code type} (e.g. {@code invalid_request_error}, {@code server_error})
 * @param code       OpenAI error {@code code} (e.g. {@code rate_limit_exceeded}, {@code upstream_error})
 * @param message    human-readable, names the provider, never contains its credential
 * @param retryAfter the provider's {@code Retry-After} header value, or null
 */
public record UpstreamFailure(int status, String type, String code, String message, String retryAfter) {
}
