package io.llmproxy.edge.provider;

/**
 * Maps a provider's non-2xx HTTP status to the canonical {@link UpstreamFailure}, the same way for
 * every provider type. Messages name the provider (its configured name), never its credential.
 *
 * <table>
 *   <caption>status mapping</caption>
 *   <tr><th>provider status</th><th>client status</th><th>code</th></tr>
 *   <tr><td>400, 404, 409, 413, 422</td><td>same</td><td>{@code upstream_rejected}</td></tr>
 *   <tr><td>401, 403</td><td>502</td><td>{@code upstream_auth_failed}</td></tr>
 *   <tr><td>408</td><td>504</td><td>{@code upstream_timeout}</td></tr>
 *   <tr><td>429</td><td>429 (with the provider's {@code Retry-After})</td><td>{@code rate_limit_exceeded}</td></tr>
 *   <tr><td>503, 529 (Anthropic "overloaded_error")</td><td>503 (with {@code Retry-After})</td><td>{@code upstream_unavailable}</td></tr>
 *   <tr><td>any other</td><td>502</td><td>{@code upstream_error}</td></tr>
 * </table>
 */
public final class UpstreamFailures {

    private UpstreamFailures() {
    }

    /**
     * @param providerName    the provider's configured name
     * @param status          the provider's HTTP status
     * @param upstreamMessage the provider's own error message, or null
     * @param retryAfter      the provider's {@code Retry-After} header, or null
     */
    public static UpstreamFailure forStatus(String providerName, int status, String upstreamMessage, String retryAfter) {
        String detail = upstreamMessage == null || upstreamMessage.isBlank() ? "" : ": " + upstreamMessage;
        return switch (status) {
            case 400, 404, 409, 413, 422 -> new UpstreamFailure(status, "invalid_request_error", "upstream_rejected",
                    providerName + " rejected the request (HTTP " + status + ")" + detail, null);
            case 401, 403 -> new UpstreamFailure(502, "server_error", "upstream_auth_failed",
                    providerName + " refused the gateway's credentials (HTTP " + status + ")", null);
            case 408 -> new UpstreamFailure(504, "server_error", "upstream_timeout",
                    providerName + " timed out (HTTP 408)", null);
            case 429 -> new UpstreamFailure(429, "rate_limit_error", "rate_limit_exceeded",
                    providerName + " is rate limiting (HTTP 429)" + detail, retryAfter);
            case 503, 529 -> new UpstreamFailure(503, "server_error", "upstream_unavailable",
                    providerName + " is unavailable (HTTP " + status + ")" + detail, retryAfter);
            default -> new UpstreamFailure(502, "server_error", "upstream_error",
                    providerName + " failed (HTTP " + status + ")" + detail, retryAfter);
        };
    }

    /** A 2xx body or stream event that could not be read. */
    public static UpstreamFailure malformed(String providerName, String what) {
        return new UpstreamFailure(502, "server_error", "upstream_error", providerName + " " + what, null);
    }

    /** A 502 for a provider answer that cannot be read ({@code what}: e.g. "a response that is not JSON"). */
    public static UpstreamFailure unreadable(String providerName, String what) {
        return new UpstreamFailure(502, "server_error", "upstream_error", providerName + " returned " + what, null);
    }

    /** A 502 for an error the provider reported inside a stream. */
    public static UpstreamFailure midStream(String providerName, String upstreamMessage) {
        return new UpstreamFailure(502, "server_error", "upstream_error",
                providerName + " failed mid-stream: " + (upstreamMessage == null ? "unknown error" : upstreamMessage), null);
    }
}
