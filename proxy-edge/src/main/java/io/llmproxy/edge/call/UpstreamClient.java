package io.llmproxy.edge.call;

import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.edge.provider.ProviderUris;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p>Event loops (issue #16): a call made with its client connection's event loop gets a provider
 * connection registered on that same loop, from a pool of that loop's own. Reactor Netty's one pool hands
 * out any idle connection, whatever its loop: then every piece of the answer (each chunk of a stream)
 * crossed from the provider connection's thread to the client connection's, a task hand-off and a wake-up
 * of the other thread each time. Without a loop (a test, a call made off any loop) the shared pool serves.
 */
@Component
public class UpstreamClient {

    /** Most connections one pool opens to all providers together (per event loop, or shared). */
    private static final int MAX_CONNECTIONS = 4096;

    private final EdgeProperties properties;
    private final HttpClient http;
    private final ConcurrentHashMap<EventExecutor, HttpClient> perLoop = new ConcurrentHashMap<>();
    private final int maxResponseBytes;

    public UpstreamClient(EdgeProperties properties) {
        this.properties = properties;
        this.http = configured("upstream");
        this.maxResponseBytes = properties.maxRequestBytes();
    }

    private HttpClient configured(String poolName) {
        ConnectionProvider pool = ConnectionProvider.builder(poolName)
                .maxConnections(MAX_CONNECTIONS)
                .pendingAcquireMaxCount(-1)
                .build();
        return HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.upstreamConnectTimeout().toMillis())
                .responseTimeout(properties.upstreamIdleTimeout())
                .compress(false);
    }

    /** @return the client whose connections live on {@code loop}; the shared one when it is not an event loop */
    HttpClient client(EventExecutor loop) {
        if (!(loop instanceof EventLoop eventLoop)) {
            return http;
        }
        HttpClient client = perLoop.get(loop);
        return client != null ? client
                : perLoop.computeIfAbsent(loop, l -> configured("upstream-" + perLoop.size()).runOn(eventLoop));
    }

    /** A whole (non-stream) response: its status, headers and body (empty when it had none). */
    public Mono<ResponseEntity<byte[]>> exchange(UpstreamRequest request) {
        return exchange(request, null);
    }

    /**
     * The same, on a provider connection of {@code loop} (the client connection's event loop; null: any).
     */
    public Mono<ResponseEntity<byte[]>> exchange(UpstreamRequest request, EventExecutor loop) {
        return post(client(loop), request)
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
        return stream(request, null);
    }

    /**
     * The same, on a provider connection of {@code loop} (the client connection's event loop; null: any), so
     * that each chunk is relayed on the thread that received it.
     */
    public Mono<ResponseEntity<Flux<byte[]>>> stream(UpstreamRequest request, EventExecutor loop) {
        // the connection whose response was received but whose body nobody subscribed to yet
        AtomicReference<Connection> unread = new AtomicReference<>();
        return post(client(loop), request)
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

    /**
     * @return {@code url} parsed, from {@link ProviderUris}' cache
     * @throws IllegalArgumentException when {@code url} is not a URI
     */
    static URI uri(String url) {
        return ProviderUris.parse(url);
    }

    /** @return how many parsed URLs the cache holds (for tests) */
    static int cachedUris() {
        return ProviderUris.cached();
    }

    private static HttpClient.ResponseReceiver<?> post(HttpClient http, UpstreamRequest request) {
        return http.post().uri(uri(request.url()))
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
