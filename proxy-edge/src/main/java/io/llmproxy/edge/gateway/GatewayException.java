package io.llmproxy.edge.gateway;

/**
 * Carries a {@link GatewayError} through a reactive pipeline to the one place that renders it in
 * the client's format and finishes the call ({@link Gateway#serve}). No stack trace: it is a
 * decision, not a bug.
 */
public final class GatewayException extends RuntimeException {

    private final transient GatewayError error;
    private volatile int upstreamStatus;

    public GatewayException(GatewayError error) {
        super(error.code() + ": " + error.message(), null, false, false);
        this.error = error;
    }

    public GatewayError error() {
        return error;
    }

    /** @return the provider's own HTTP status behind this error (the client may see another), 0 when none */
    public int upstreamStatus() {
        return upstreamStatus;
    }

    /** Records the provider's own HTTP status (retry decisions use it); @return this */
    public GatewayException withUpstreamStatus(int status) {
        this.upstreamStatus = status;
        return this;
    }
}
