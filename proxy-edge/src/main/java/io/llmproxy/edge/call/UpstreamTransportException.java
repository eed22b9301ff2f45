package io.llmproxy.edge.call;

/**
 * The connection to a provider failed before its answer was complete (refused, reset, closed early), as
 * raised by {@link UpstreamClient#exchange}; the attempt loop treats it as it treats WebClient's
 * request exceptions: 502 {@code upstream_unreachable}, and another target may be tried.
 */
public class UpstreamTransportException extends RuntimeException {

    public UpstreamTransportException(Throwable cause) {
        super(cause.toString(), cause);
    }
}
