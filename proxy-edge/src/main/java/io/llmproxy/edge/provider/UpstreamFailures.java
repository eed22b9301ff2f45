package io.llmproxy.edge.provider;

/**
 * The one mapping of a provider's HTTP error status to the canonical {@link UpstreamFailure}, shared by
 * provider folders whose errors carry nothing more specific: 400/404/409/413/422 are passed on as the
 * client's fault; 401/403 (the gateway's credential) become 502; 408 → 504; 429 is kept with its
 * {@code Retry-After}; 503 is kept; anything else → 502. Messages name the provider and quote the
 * provider's own message, never its credential.
 */
public final class UpstreamFailures {

    private UpstreamFailures() {
    }

    /**
     * @param providerName    the provider connection's name (not its type or key)
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
            case 503 -> new UpstreamFailure(503, "server_error", "upstream_unavailable",
                    providerName + " is unavailable (HTTP 503)" + detail, retryAfter);
            default -> new UpstreamFailure(502, "server_error", "upstream_error",
                    providerName + " failed (HTTP " + status + ")" + detail, retryAfter);
        };
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
