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
 * returned, not thrown, so that the translator maps them. Transport failures surface as
 * {@code WebClientRequestException} (connect) or a read timeout after
 * {@code upstreamIdleTimeout} of silence.
 */
@Component
public class UpstreamClient {

    private final WebClient web;

    public UpstreamClient(EdgeProperties properties) {
        ConnectionProvider pool = ConnectionProvider.builder("upstream")
                .maxConnections(4096)
                .pendingAcquireMaxCount(-1)
                .build();
        HttpClient http = HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.upstreamConnectTimeout().toMillis())
                .responseTimeout(properties.upstreamIdleTimeout())
                .compress(false);
        this.web = WebClient.builder().clientConnector(new ReactorClientHttpConnector(http))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(properties.maxRequestBytes()))
                .build();
    }

    /** A whole (non-stream) response. */
    public Mono<ResponseEntity<byte[]>> exchange(UpstreamRequest request) {
        return spec(request).retrieve().onStatus(s -> true, r -> Mono.empty()).toEntity(byte[].class);
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
