package io.llmproxy.edge.http;

/**
 * A request body the edge cannot read, answered in the called API's format before any routing:
 * 400 {@code invalid_content_type} (a malformed {@code Content-Type}), 415
 * {@code unsupported_media_type} (not JSON, or an unknown charset), 408 {@code request_timeout}
 * (the body did not arrive in time, {@link RequestDeadlines}).
 */
public final class RequestBodyException extends RuntimeException {

    private final int status;
    private final String code;

    /**
     * @param status  HTTP status for the client (400, 408, 415)
     * @param code    OpenAI-style error code
     * @param message human-readable, safe to show
     */
    public RequestBodyException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    static RequestBodyException timeout(String message) {
        return new RequestBodyException(408, "request_timeout", message);
    }
}
