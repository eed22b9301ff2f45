package io.llmproxy.simulator.ollama;

/**
 * An error answered in Ollama's shape {@code {"error":"…"}} with HTTP status {@link #status()}
 * (https://github.com/ollama/ollama/blob/main/docs/api.md#errors).
 */
public class OllamaApiException extends RuntimeException {

    private final int status;

    public OllamaApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The error Ollama answers with {@code status}, for the {@code x-sim-status} / {@code sim-error-<status>} knobs. */
    public static OllamaApiException forStatus(int status, String model) {
        String message = switch (status) {
            case 400 -> "invalid request (simulated)";
            case 401 -> "unauthorized (simulated)";
            case 404 -> "model '" + model + "' not found (simulated)";
            case 429 -> "too many requests (simulated)";
            case 500 -> "an error was encountered while running the model (simulated)";
            case 503 -> "server busy, please try again.  maximum pending requests exceeded (simulated)";
            default -> "error " + status + " (simulated)";
        };
        return new OllamaApiException(status, message);
    }

    public int status() {
        return status;
    }
}
