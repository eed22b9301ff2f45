package io.llmproxy.edge.http;

import io.llmproxy.edge.gateway.GatewayError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.reactivestreams.Publisher;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import tools.jackson.databind.json.JsonMapper;

/**
 * The hot path's frame (issue #16): the {@link GatewayEndpoint}s on Reactor Netty's own routes, ahead
 * of Spring WebFlux's {@code DispatcherHandler} (a {@link NettyRouteProvider}: Spring Boot puts its
 * handler after these routes). Spring's request and response wrappers, filter chain, handler mapping
 * and result handling cost about 100 µs of CPU per call on the 2-core bench machine, as much as the
 * rest of a call's own work (ADR 0024; bench/README.md, scenario {@code frames}).
 *
 * <p>It takes only a request it answers exactly as the Spring route does: {@code POST}, the request
 * target exactly an endpoint's path (no query string, no other spelling of the path), and no
 * {@code Origin} header (a browser's request goes through {@link EdgeCors} on Spring's side). Every
 * other request (other methods, {@code OPTIONS} preflights, encoded or absolute targets) goes on to
 * Spring, whose routes serve the same {@link GatewayEndpoint#handler}. Authentication, the key's
 * tenant and every check stay inside the handler, so this frame opens nothing: a request it takes
 * meets the same gateway as one it leaves.
 *
 * <p>Bodies: read whole, at most {@code spring.http.codecs.max-in-memory-size} (16 MiB) bytes, else
 * {@link DataBufferLimitException} (the handler's 413), as Spring's codec limit does; at once when
 * {@code Content-Length} declares more ({@link EdgeRequest#declaredWithin}). Answers: a whole
 * body with {@code Content-Length} in one write, a stream flushed element by element. A failure the
 * handler did not render (an {@code Error}) is answered 500 {@code internal_error} in the called API's
 * format ({@link ClientApi}) and logged with its stack trace, as {@link ApiErrorWebExceptionHandler}
 * does on Spring's side.
 */
@Component
class NettyFrame implements NettyRouteProvider {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NettyFrame.class);
    private static final byte[] EMPTY = new byte[0];

    private final Map<String, GatewayEndpoint> endpoints = new HashMap<>();
    private final int maxBodyBytes;
    private final JsonMapper json;
    private final Clock clock;
    private final ApplicationPort port;
    /** Requests this frame took (for tests: which frame served a request). */
    private final java.util.concurrent.atomic.LongAdder taken = new java.util.concurrent.atomic.LongAdder();

    NettyFrame(List<GatewayEndpoint> endpoints, @Value("${spring.http.codecs.max-in-memory-size:16MB}") DataSize maxBody,
               JsonMapper json, Clock clock, ApplicationPort port) {
        endpoints.forEach(endpoint -> {
            if (this.endpoints.put(endpoint.path(), endpoint) != null) {
                throw new IllegalStateException("two gateway endpoints on " + endpoint.path());
            }
        });
        this.maxBodyBytes = (int) Math.min(Integer.MAX_VALUE, maxBody.toBytes());
        this.json = json;
        this.clock = clock;
        this.port = port;
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        return routes.route(this::takes, this::serve);
    }

    /** @return whether this frame answers {@code request} (else Spring does) */
    boolean takes(HttpServerRequest request) {
        return request.method() == HttpMethod.POST && endpoints.containsKey(request.uri())
                && !request.requestHeaders().contains(HttpHeaderNames.ORIGIN)
                // Spring Boot gives route providers to the actuator's own port too: the endpoints are the application port's
                && port.is(request.connectionHostAddress());
    }

    private Publisher<Void> serve(HttpServerRequest request, HttpServerResponse response) {
        String path = request.uri();
        GatewayEndpoint endpoint = endpoints.get(path);
        taken.increment();
        return endpoint.handler().apply(new Request(request, path, maxBodyBytes))
                .flatMap(answer -> write(response, path, answer))
                .onErrorResume(e -> {
                    if (EdgeRequest.clientGone(e)) {
                        // nobody to answer: as Spring's HttpWebHandlerAdapter does for a disconnected client
                        return Mono.empty();
                    }
                    if (response.hasSentHeaders()) {
                        return Mono.error(e);
                    }
                    LOG.warn("POST {} failed: {}", path, e.toString(), e);
                    byte[] body = ClientApi.of(path).errorBody(GatewayError.internal(), json, clock);
                    return write(response, path, EdgeResponse.whole(500, "application/json", body));
                });
    }

    /** @return how many requests this frame took since the start */
    long taken() {
        return taken.sum();
    }

    private static Mono<Void> write(HttpServerResponse response, String path, EdgeResponse answer) {
        response.status(answer.status());
        HttpHeaders headers = response.responseHeaders();
        if (EdgeCors.covers(path)) {
            // as CorsWebFilter does on Spring's side: a cache must not serve this answer to a browser's request
            headers.add(HttpHeaderNames.VARY, EdgeCors.VARY);
        }
        headers.set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        answer.headers().forEach(headers::set);
        answer.lateHeaders().forEach(headers::set);
        if (answer.stream() == null) {
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
            return response.send(Mono.just(Unpooled.wrappedBuffer(answer.body()))).then();
        }
        return response.send(answer.stream().map(Unpooled::wrappedBuffer), chunk -> true).then();
    }

    /** The request as the handlers see it. */
    private record Request(HttpServerRequest request, String path, int maxBodyBytes) implements EdgeRequest {

        @Override
        public String header(String name) {
            return request.requestHeaders().get(name);
        }

        @Override
        public Mono<byte[]> body() {
            return EdgeRequest.declaredWithin(request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH), maxBodyBytes,
                    this::read);
        }

        private Mono<byte[]> read() {
            int[] read = {0};
            return ByteBufFlux.fromInbound(request.receive().doOnNext((ByteBuf chunk) -> {
                        read[0] += chunk.readableBytes();
                        if (read[0] > maxBodyBytes || read[0] < 0) {
                            throw new DataBufferLimitException("Exceeded limit on max bytes to buffer : " + maxBodyBytes);
                        }
                    }))
                    .aggregate().asByteArray()
                    .defaultIfEmpty(EMPTY);
        }
    }
}
