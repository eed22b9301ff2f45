package io.llmproxy.edge.gateway;

/**
 * Carries a {@link GatewayError} through a reactive pipeline to the one place that renders it in
 * the client's format and finishes the call ({@link Gateway#serve}). No stack trace: it is a
 * decision, not a bug.
 */
public final class GatewayException extends RuntimeException {

    private final transient GatewayError error;

    public GatewayException(GatewayError error) {
        super(error.code() + ": " + error.message(), null, false, false);
        this.error = error;
    }

    public GatewayError error() {
        return error;
    }
}
