package io.llmproxy.edge.call;

import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;

/**
 * Sends {@link UpstreamRequest}s with one pooled Reactor Netty {@code HttpClient}, used directly (no
 * WebClient layers: issue #16). Non-2xx responses are returned, not thrown, so that the translator maps
 * them. A request gets the route's idle timeout ({@link UpstreamRequest#idleTimeoutMs()}) instead of
 * {@code upstream-idle-timeout} when it has one.
 *
 * <p>Failures before the answer's status and headers: {@link UpstreamTransportException} (connect,
 * reset, closed early) or {@link ReadTimeoutException} (no answer within the idle timeout). A whole
 * answer larger than {@code max-request-bytes}: {@code DataBufferLimitException}. A streamed body
 * fails as Reactor Netty reports it ({@link ReadTimeoutException} after the idle timeout of silence,
 * {@code PrematureCloseException} when the provider closes mid-body).
 */
@Component
public class UpstreamClient {

    private final HttpClient http;
    private final int maxResponseBytes;

    public UpstreamClient(EdgeProperties properties) {
        ConnectionProvider pool = ConnectionProvider.builder("upstream")
                .maxConnections(4096)
                .pendingAcquireMaxCount(-1)
                .build();
        this.http = HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.upstreamConnectTimeout().toMillis())
                .responseTimeout(properties.upstreamIdleTimeout())
                .compress(false);
        this.maxResponseBytes = properties.maxRequestBytes();
    }

    /** A whole (non-stream) response: its status, headers and body (empty when it had none). */
    public Mono<ResponseEntity<byte[]>> exchange(UpstreamRequest request) {
        return post(request)
                .response((response, body) -> {
                    long declared = response.responseHeaders().getInt(HttpHeaderNames.CONTENT_LENGTH, -1);
                    if (declared > maxResponseBytes) {
                        return Mono.error(tooLarge());
                    }
                    return body.asByteArray()
                            .collect(ByteArrayOutputStream::new, (all, chunk) -> {
                                if (all.size() + chunk.length > maxResponseBytes) {
                                    throw tooLarge();
                                }
                                all.writeBytes(chunk);
                            })
                            .map(all -> new ResponseEntity<>(all.toByteArray(), headers(response), response.status().code()));
                })
                .next()
                .onErrorMap(e -> e instanceof IOException, UpstreamTransportException::new);
    }

    /**
     * A streamed response: status and headers as soon as they arrive, then the body as it arrives, one
     * array per network read (copied out of Netty's buffer, which Reactor Netty releases itself).
     * The body must be subscribed once: cancelling it closes the connection to the provider (the
     * provider stops generating); a response cancelled before its body was subscribed closes it too.
     */
    public Mono<ResponseEntity<Flux<byte[]>>> stream(UpstreamRequest request) {
        // the connection whose response was received but whose body nobody subscribed to yet
        AtomicReference<Connection> unread = new AtomicReference<>();
        return post(request)
                .responseConnection((response, connection) -> {
                    unread.set(connection);
                    Flux<byte[]> body = connection.inbound().receive().asByteArray()
                            .doOnSubscribe(s -> unread.set(null));
                    return Mono.just(new ResponseEntity<>(body, headers(response), response.status().code()));
                })
                .next()
                // before the status, any failure is the connection's (502, retryable); a timeout stays one (504)
                .onErrorMap(e -> e instanceof Exception && !(e instanceof ReadTimeoutException)
                        && !(e instanceof UpstreamTransportException), UpstreamTransportException::new)
                .doOnCancel(() -> {
                    Connection connection = unread.getAndSet(null);
                    if (connection != null) {
                        connection.dispose();
                    }
                });
    }

    private HttpClient.ResponseReceiver<?> post(UpstreamRequest request) {
        return http.post().uri(URI.create(request.url()))
                .send((req, out) -> {
                    request.headers().forEach(req::header);
                    if (request.idleTimeoutMs() != null) {
                        // a route's own idle timeout replaces the client's default for this request
                        req.responseTimeout(Duration.ofMillis(request.idleTimeoutMs()));
                    }
                    return out.sendByteArray(Mono.just(request.body()));
                });
    }

    private static HttpHeaders headers(HttpClientResponse response) {
        return new HttpHeaders(new Netty4HeadersAdapter(response.responseHeaders()));
    }

    private DataBufferLimitException tooLarge() {
        return new DataBufferLimitException("Exceeded limit on max bytes to buffer : " + maxResponseBytes);
    }
}
