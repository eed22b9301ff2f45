package io.llmproxy.simulator.cohere;

/**
 * An error answered in Cohere's shape {@code {"id":"…","message":"…"}} with HTTP status {@link #status()}
 * (https://docs.cohere.com/reference/errors).
 */
public class CohereApiException extends RuntimeException {

    private final int status;

    public CohereApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** 401 for a missing or empty bearer token. */
    public static CohereApiException missingToken() {
        return new CohereApiException(401, "no api key supplied");
    }

    /** The error Cohere answers with {@code status}, for the {@code x-sim-status} / {@code sim-error-<status>} knobs. */
    public static CohereApiException forStatus(int status) {
        String message = switch (status) {
            case 400 -> "invalid request: simulated bad request";
            case 401 -> "invalid api token (simulated)";
            case 404 -> "model not found (simulated)";
            case 429 -> "You are using a Trial key, which is limited to 10 API calls / minute. (simulated)";
            case 500 -> "internal server error, this has been reported to our developers (simulated)";
            case 503 -> "service unavailable (simulated)";
            default -> "error " + status + " (simulated)";
        };
        return new CohereApiException(status, message);
    }

    public int status() {
        return status;
    }
}
