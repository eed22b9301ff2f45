package io.llmproxy.edge.http;

import reactor.core.publisher.Mono;

/**
 * A request to a gateway endpoint, as {@link NettyFrame} or {@link SpringFrame} received it.
 */
public interface EdgeRequest {

    /** @return the request path without its query, as sent (e.g. {@code /v1/chat/completions}) */
    String path();

    /** @return the first value of the header {@code name} (case-insensitive), or null */
    String header(String name);

    /**
     * @return the raw body, empty when there is none; errors with
     *         {@link org.springframework.core.io.buffer.DataBufferLimitException} beyond
     *         {@code spring.http.codecs.max-in-memory-size} (16 MiB: the callers' 413) and with
     *         {@link RequestBodyException} when it did not arrive in time ({@link RequestDeadlines}: 408)
     */
    Mono<byte[]> body();

    /**
     * @return whether {@code e}, raised while reading this request or writing its answer, says the
     *         client's connection is gone: closed before a send, reset, a broken pipe, any I/O failure
     *         (the provider's own I/O failures are {@code UpstreamTransportException}s by then)
     */
    static boolean clientGone(Throwable e) {
        return e instanceof reactor.netty.channel.AbortedException || reactor.netty.channel.AbortedException.isConnectionReset(e)
                || e instanceof java.io.IOException;
    }
}
