package io.llmproxy.edge.call;

import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.netty.channel.ChannelOption;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Sends {@link UpstreamRequest}s with one pooled Reactor Netty client. Non-2xx responses are
 * returned, not thrown, so that the translator maps them. Whole answers ({@link #exchange}) go through
 * Reactor Netty's {@code HttpClient} directly (no WebClient layers: issue #16), streams through
 * {@code WebClient} on the same client. Transport failures surface as {@link UpstreamTransportException}
 * or {@code WebClientRequestException} (connect, reset), or a read timeout after
 * {@code upstreamIdleTimeout} (or the route's idle timeout) of silence; a whole answer larger than
 * {@code max-request-bytes} as {@code DataBufferLimitException}.
 */
@Component
public class UpstreamClient {

    private final WebClient web;
    private final HttpClient http;
    private final int maxResponseBytes;

    public UpstreamClient(EdgeProperties properties) {
        ConnectionProvider pool = ConnectionProvider.builder("upstream")
                .maxConnections(4096)
                .pendingAcquireMaxCount(-1)
                .build();
        HttpClient http = HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.upstreamConnectTimeout().toMillis())
                .responseTimeout(properties.upstreamIdleTimeout())
                .compress(false);
        this.http = http;
        this.maxResponseBytes = properties.maxRequestBytes();
        this.web = WebClient.builder().clientConnector(new ReactorClientHttpConnector(http))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(properties.maxRequestBytes()))
                .build();
    }

    /** A whole (non-stream) response: its status, headers and body (empty when it had none). */
    public Mono<ResponseEntity<byte[]>> exchange(UpstreamRequest request) {
        return http.post().uri(java.net.URI.create(request.url()))
                .send((req, out) -> {
                    request.headers().forEach(req::header);
                    if (request.idleTimeoutMs() != null) {
                        // a route's own idle timeout replaces the client's default for this request
                        req.responseTimeout(java.time.Duration.ofMillis(request.idleTimeoutMs()));
                    }
                    return out.sendByteArray(Mono.just(request.body()));
                })
                .response((response, body) -> {
                    long declared = response.responseHeaders().getInt(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH, -1);
                    if (declared > maxResponseBytes) {
                        return Mono.error(tooLarge());
                    }
                    return body.asByteArray()
                            .collect(java.io.ByteArrayOutputStream::new, (all, chunk) -> {
                                if (all.size() + chunk.length > maxResponseBytes) {
                                    throw tooLarge();
                                }
                                all.writeBytes(chunk);
                            })
                            .map(all -> new ResponseEntity<>(all.toByteArray(),
                                    new org.springframework.http.HttpHeaders(
                                            new org.springframework.http.support.Netty4HeadersAdapter(response.responseHeaders())),
                                    response.status().code()));
                })
                .next()
                .onErrorMap(e -> e instanceof java.io.IOException, UpstreamTransportException::new);
    }

    private org.springframework.core.io.buffer.DataBufferLimitException tooLarge() {
        return new org.springframework.core.io.buffer.DataBufferLimitException(
                "Exceeded limit on max bytes to buffer : " + maxResponseBytes);
    }

    /** A streamed response: status and headers first, the body as it arrives. */
    public Mono<ResponseEntity<Flux<DataBuffer>>> stream(UpstreamRequest request) {
        return spec(request).retrieve().onStatus(s -> true, r -> Mono.empty()).toEntityFlux(DataBuffer.class);
    }

    private WebClient.RequestHeadersSpec<?> spec(UpstreamRequest request) {
        WebClient.RequestBodySpec spec = web.post().uri(request.url()).headers(h -> request.headers().forEach(h::set));
        if (request.idleTimeoutMs() != null) {
            // a route's own idle timeout replaces the client's default for this request (Reactor Netty)
            java.time.Duration idle = java.time.Duration.ofMillis(request.idleTimeoutMs());
            spec = spec.httpRequest(r -> ((reactor.netty.http.client.HttpClientRequest) r.getNativeRequest())
                    .responseTimeout(idle));
        }
        return spec.bodyValue(request.body());
    }
}
