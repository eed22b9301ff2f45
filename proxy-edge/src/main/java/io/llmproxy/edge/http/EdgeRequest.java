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
     *         {@code spring.http.codecs.max-in-memory-size} (16 MiB: the callers' 413), at once and without
     *         reading a byte when the request's {@code Content-Length} declares more ({@link #declaredWithin}),
     *         and with {@link RequestBodyException} when it did not arrive in time ({@link RequestDeadlines}: 408)
     */
    Mono<byte[]> body();

    /**
     * The body limit checked against what the request declares, before any byte is read: a client that
     * announces more than the gateway keeps gets its 413 at once, not after sending up to the limit (or
     * timing out while it sends 10^12 bytes), and one that asked {@code Expect: 100-continue} gets no
     * {@code 100 Continue} (Reactor Netty sends it only when the body is subscribed). The connection is
     * then closed after the answer ({@link RequestDeadlines}): the rest of the body is never read.
     *
     * @param contentLength the request's {@code Content-Length} value, or null (chunked, or no body);
     *                      Netty's decoder has already refused a malformed or conflicting one
     * @param maxBytes      the largest body read (bytes)
     * @param read          reads the body within {@code maxBytes}
     * @return {@code read}'s body, or a {@link org.springframework.core.io.buffer.DataBufferLimitException}
     *         when the declared length is above {@code maxBytes} (a value too large for a {@code long} included)
     */
    static Mono<byte[]> declaredWithin(String contentLength, long maxBytes, java.util.function.Supplier<Mono<byte[]>> read) {
        if (contentLength != null) {
            long declared;
            try {
                declared = Long.parseLong(contentLength.trim());
            } catch (NumberFormatException beyondLong) {
                declared = Long.MAX_VALUE;
            }
            if (declared > maxBytes) {
                return Mono.error(new org.springframework.core.io.buffer.DataBufferLimitException(
                        "Content-Length " + declared + " exceeds the limit on max bytes to buffer: " + maxBytes));
            }
        }
        return read.get();
    }

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
