package io.llmproxy.edge.http;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits of the edge's HTTP server on reading requests ({@code llmproxy.edge.server.*}), applied
 * by {@link EdgeHttpServerCustomizer} (ADR 0014). They bound how long a client may take to
 * <em>send</em> a request; nothing here limits how long a response (a stream) may take.
 *
 * @param idleTimeout     longest a connection may wait for the first byte of a request, when new
 *                        and between keep-alive requests (default 60 s); then it is closed without
 *                        a response (Reactor Netty's {@code HttpServer.idleTimeout})
 * @param headerTimeout   longest from the first byte of a request to the end of its headers
 *                        (default 10 s) → 408 in the called API's format, connection closed
 * @param bodyReadTimeout longest silence between two reads of a request body (default 30 s) → 408,
 *                        connection closed
 * @param bodyTimeout     longest time to receive a whole request body once its headers are in
 *                        (default 120 s: 16 MiB at ≥ 140 KB/s) → 408, connection closed
 * @param maxConnections  open connections at most (default 10,000); a connection beyond it gets
 *                        503 with {@code Retry-After: 1} in the called API's format and is closed
 */
@ConfigurationProperties("llmproxy.edge.server")
public record EdgeServerProperties(
        @DefaultValue("60s") Duration idleTimeout,
        @DefaultValue("10s") Duration headerTimeout,
        @DefaultValue("30s") Duration bodyReadTimeout,
        @DefaultValue("120s") Duration bodyTimeout,
        @DefaultValue("10000") int maxConnections) {

    public EdgeServerProperties {
        for (Duration d : new Duration[] {idleTimeout, headerTimeout, bodyReadTimeout, bodyTimeout}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("llmproxy.edge.server timeouts must be positive, got " + d);
            }
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("llmproxy.edge.server.max-connections must be at least 1, got " + maxConnections);
        }
    }
}
