package io.llmproxy.edge.call;

/**
 * The connection to a provider failed before its answer was complete (refused, reset, closed early), as
 * raised by {@link UpstreamClient#exchange} and, before the status arrived, {@link UpstreamClient#stream};
 * the attempt loop maps it to 502 {@code upstream_unreachable}, and another target may be tried.
 */
public class UpstreamTransportException extends RuntimeException {

    public UpstreamTransportException(Throwable cause) {
        super(cause.toString(), cause);
    }
}
