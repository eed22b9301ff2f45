package io.llmproxy.edge.http;

import java.time.Clock;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The edge's Reactor Netty server limits ({@link EdgeServerProperties}, ADR 0014):
 * <ul>
 *   <li>{@code idleTimeout} through Reactor Netty's own {@link HttpServer#idleTimeout} (a silent close
 *       of a connection that sends nothing);</li>
 *   <li>header and body deadlines with a 408 in the called API's format, and JSON bodies for the
 *       codec's 400/414/431, through {@link RequestDeadlines} around the HTTP codec of each
 *       connection. Reactor Netty's {@code readTimeout}/{@code requestTimeout} are not used: they
 *       close the connection without an answer, and start only once the headers are in;</li>
 *   <li>the connection limit ({@link ConnectionLimit}).</li>
 * </ul>
 * HTTP/2 connections (not enabled on the edge) would get the idle timeout and the limit only.
 */
@Component
class EdgeHttpServerCustomizer implements NettyServerCustomizer {

    private final EdgeServerProperties properties;
    private final ErrorResponses errors;
    private final ConnectionLimit limit;

    EdgeHttpServerCustomizer(EdgeServerProperties properties, JsonMapper json, Clock clock) {
        this.properties = properties;
        this.errors = new ErrorResponses(json, clock);
        this.limit = new ConnectionLimit(properties.maxConnections());
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.idleTimeout(properties.idleTimeout())
                .doOnChannelInit((observer, channel, remoteAddress) -> {
                    boolean admitted = limit.admit(channel);
                    if (channel.pipeline().get(NettyPipeline.HttpCodec) == null) {
                        return;
                    }
                    RequestDeadlines deadlines = new RequestDeadlines(properties, errors);
                    channel.pipeline().addBefore(NettyPipeline.HttpCodec, RequestDeadlines.SNIFFER, deadlines.new Sniffer());
                    channel.pipeline().addAfter(NettyPipeline.HttpCodec, RequestDeadlines.NAME, deadlines);
                    if (!admitted) {
                        channel.pipeline().addAfter(NettyPipeline.HttpCodec, ConnectionLimit.NAME, new ConnectionLimit.Refuse(errors));
                    }
                });
    }

    /** @return connections open now (for tests and diagnostics) */
    int openConnections() {
        return limit.open();
    }
}
