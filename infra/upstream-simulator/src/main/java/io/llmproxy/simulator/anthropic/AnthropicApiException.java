package io.llmproxy.simulator.anthropic;

/**
 * An error answered in Anthropic's shape (https://docs.anthropic.com/en/api/errors):
 * {@code {"type":"error","error":{"type":"…","message":"…"}}} with HTTP {@link #status()}.
 */
public class AnthropicApiException extends RuntimeException {

    private final int status;
    private final String type;

    public AnthropicApiException(int status, String type, String message) {
        super(message);
        this.status = status;
        this.type = type;
    }

    /** 400 {@code invalid_request_error}. */
    public static AnthropicApiException invalid(String message) {
        return new AnthropicApiException(400, "invalid_request_error", message);
    }

    /**
     * The error Anthropic documents for {@code status}: 400 {@code invalid_request_error}, 401
     * {@code authentication_error}, 403 {@code permission_error}, 404 {@code not_found_error}, 413
     * {@code request_too_large}, 429 {@code rate_limit_error}, 529 {@code overloaded_error}, other
     * 5xx {@code api_error}, other 4xx {@code invalid_request_error}.
     */
    public static AnthropicApiException forStatus(int status) {
        return switch (status) {
            case 401 -> new AnthropicApiException(401, "authentication_error", "invalid x-api-key (simulated)");
            case 403 -> new AnthropicApiException(403, "permission_error", "Your API key does not have permission to use the specified resource. (simulated)");
            case 404 -> new AnthropicApiException(404, "not_found_error", "The requested resource could not be found. (simulated)");
            case 413 -> new AnthropicApiException(413, "request_too_large", "Request exceeds the maximum allowed number of bytes. (simulated)");
            case 429 -> new AnthropicApiException(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit (simulated)");
            case 529 -> new AnthropicApiException(529, "overloaded_error", "Overloaded (simulated)");
            default -> status >= 500
                    ? new AnthropicApiException(status, "api_error", "Internal server error (simulated)")
                    : new AnthropicApiException(status, "invalid_request_error", "Request failed with status " + status + " (simulated)");
        };
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }
}
