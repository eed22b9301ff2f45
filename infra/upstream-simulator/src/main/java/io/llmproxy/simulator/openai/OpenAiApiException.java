package io.llmproxy.simulator.openai;

/**
 * An error answered in OpenAI's documented error shape (API reference, "Error codes" guide,
 * https://platform.openai.com/docs/guides/error-codes):
 * <pre>{"error":{"message":"...","type":"...","param":null|"...","code":null|"..."}}</pre>
 * with HTTP status {@link #status()}. Rendered by {@link OpenAiWireFormat#error(OpenAiApiException)}.
 */
public class OpenAiApiException extends RuntimeException {

    static final String MISSING_KEY_MESSAGE = "You didn't provide an API key. You need to provide your API key in an "
            + "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password "
            + "field (with blank username) if you're accessing the API from your browser and are prompted for a "
            + "username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.";

    static final String INVALID_JSON_MESSAGE = "We could not parse the JSON body of your request. (HINT: This likely "
            + "means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what "
            + "was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us "
            + "through our help center at help.openai.com.)";

    private final int status;
    private final String type;
    private final String param;
    private final String code;

    /**
     * @param status  HTTP status, 400..599
     * @param type    OpenAI error {@code type}, e.g. {@code invalid_request_error}
     * @param message human-readable {@code message}
     * @param param   offending request parameter, or {@code null}
     * @param code    OpenAI error {@code code}, or {@code null}
     */
    public OpenAiApiException(int status, String type, String message, String param, String code) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 401 for a missing or empty {@code Authorization: Bearer} header. */
    public static OpenAiApiException missingApiKey() {
        return new OpenAiApiException(401, "invalid_request_error", MISSING_KEY_MESSAGE, null, "invalid_api_key");
    }

    /** 400 for a body that is not a JSON object. */
    public static OpenAiApiException invalidJson() {
        return new OpenAiApiException(400, "invalid_request_error", INVALID_JSON_MESSAGE, null, null);
    }

    /** 400 {@code invalid_request_error} naming the offending parameter; {@code code} is null. */
    public static OpenAiApiException invalidRequest(String message, String param) {
        return new OpenAiApiException(400, "invalid_request_error", message, param, null);
    }

    /**
     * The error OpenAI answers with {@code status}, for the {@code x-sim-status} header and
     * {@code sim-error-<status>} models: 429 is {@code type "requests", code "rate_limit_exceeded"};
     * 5xx are {@code server_error}; 401 is {@code invalid_api_key}; other 4xx are
     * {@code invalid_request_error}. Messages end with "(simulated)".
     */
    public static OpenAiApiException forStatus(int status) {
        return switch (status) {
            case 401 -> new OpenAiApiException(401, "invalid_request_error",
                    "Incorrect API key provided (simulated).", null, "invalid_api_key");
            case 429 -> new OpenAiApiException(429, "requests",
                    "Rate limit reached for requests. Please try again in 1s. (simulated)", null, "rate_limit_exceeded");
            case 500 -> new OpenAiApiException(500, "server_error",
                    "The server had an error while processing your request. Sorry about that! (simulated)", null, null);
            case 503 -> new OpenAiApiException(503, "server_error",
                    "The engine is currently overloaded, please try again later. (simulated)", null, null);
            default -> status >= 500
                    ? new OpenAiApiException(status, "server_error",
                            "Upstream error " + status + " (simulated).", null, null)
                    : new OpenAiApiException(status, "invalid_request_error",
                            "Request failed with status " + status + " (simulated).", null, null);
        };
    }

    /** HTTP status to answer with. */
    public int status() {
        return status;
    }

    /** OpenAI error {@code type}. */
    public String type() {
        return type;
    }

    /** Offending parameter, or {@code null}. */
    public String param() {
        return param;
    }

    /** OpenAI error {@code code}, or {@code null}. */
    public String code() {
        return code;
    }
}
