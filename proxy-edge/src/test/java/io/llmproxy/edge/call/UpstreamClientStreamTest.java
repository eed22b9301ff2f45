package io.llmproxy.edge.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.llmproxy.edge.gateway.AttemptLoop;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.support.TestEdgeProperties;
import io.llmproxy.testsupport.FreePorts;
import io.netty.handler.timeout.ReadTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

/**
 * {@link UpstreamClient#stream} against a local Reactor Netty server (issue #16: streams on Reactor
 * Netty's HttpClient directly): status and headers before the body ends, non-2xx answers returned with
 * their body, the request's own idle timeout before and within the body, a refused connection, and a
 * body cancelled by its reader closing the provider's connection. BlockHound is active (the module's
 * tests install it).
 */
class UpstreamClientStreamTest {

    private static final CountDownLatch STREAM_CLOSED = new CountDownLatch(1);
    private static DisposableServer server;
    private static UpstreamClient client;

    @BeforeAll
    static void start() {
        server = HttpServer.create().host("127.0.0.1").port(0).route(routes -> routes
                // never ends: one event every 20 ms until the client goes away
                .post("/endless", (request, response) -> request.receive().then(Mono.defer(() -> {
                    request.withConnection(c -> c.onDispose(STREAM_CLOSED::countDown));
                    return response.header("Content-Type", "text/event-stream")
                            .sendString(Flux.interval(Duration.ofMillis(20)).map(i -> "data: " + i + "\n\n")).then();
                })))
                .post("/busy", (request, response) -> request.receive().then(Mono.defer(() -> response.status(503)
                        .header("Content-Type", "application/json").header("Retry-After", "7")
                        .sendString(Mono.just("{\"error\":{\"message\":\"busy\"}}")).then())))
                // one event, then silence
                .post("/stalls", (request, response) -> request.receive().then(Mono.defer(() -> response
                        .header("Content-Type", "text/event-stream")
                        .sendString(Flux.concat(Mono.just("data: 0\n\n"), Mono.never())).then())))
                // no answer at all
                .post("/silent", (request, response) -> Mono.never()))
                .bindNow();
        client = new UpstreamClient(TestEdgeProperties.of(null, Duration.ofMillis(250), Duration.ofMinutes(5),
                Duration.ofSeconds(2), Duration.ofSeconds(60)));
    }

    @AfterAll
    static void stop() {
        server.disposeNow();
    }

    @Test
    void statusAndHeadersComeFirstThenTheBodyAsItArrivesAndCancellingItClosesTheConnection() throws Exception {
        ResponseEntity<Flux<byte[]>> answer = client.stream(request("/endless", null)).block(Duration.ofSeconds(10));
        assertThat(answer.getStatusCode().value()).isEqualTo(200);
        assertThat(answer.getHeaders().getFirst("Content-Type")).isEqualTo("text/event-stream");
        // the provider never ends its stream: reading its first events proves nothing waits for the end
        String seen = answer.getBody().map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                .scan(String::concat).filter(text -> text.contains("data: 2\n\n")).next().block(Duration.ofSeconds(10));
        assertThat(seen).startsWith("data: 0\n\ndata: 1\n\ndata: 2\n\n");
        // next() cancelled the body: the connection to the provider is closed, not left streaming
        assertThat(STREAM_CLOSED.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aNon2xxAnswerIsReturnedWithItsHeadersAndItsBody() {
        ResponseEntity<Flux<byte[]>> answer = client.stream(request("/busy", null)).block(Duration.ofSeconds(10));
        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getFirst("Retry-After")).isEqualTo("7");
        String body = answer.getBody().map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                .reduce(String::concat).block(Duration.ofSeconds(10));
        assertThat(body).isEqualTo("{\"error\":{\"message\":\"busy\"}}");
    }

    @Test
    void theRequestsIdleTimeoutEndsABodyThatFallsSilentAsATimeout() {
        // 300 ms instead of the client's 60 s default
        ResponseEntity<Flux<byte[]>> answer = client.stream(request("/stalls", 300)).block(Duration.ofSeconds(10));
        assertThat(answer.getStatusCode().value()).isEqualTo(200);
        StepVerifier.create(answer.getBody().map(bytes -> new String(bytes, StandardCharsets.UTF_8)))
                .expectNext("data: 0\n\n")
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ReadTimeoutException.class);
                    assertThat(AttemptLoop.isTransport(e)).isTrue();
                    assertThat(AttemptLoop.transportError(e, "p").status()).isEqualTo(504);
                })
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void noAnswerWithinTheRequestsIdleTimeoutIsATimeout() {
        Throwable e = catchThrowable(() -> client.stream(request("/silent", 300)).block(Duration.ofSeconds(10)));
        assertThat(e).isInstanceOf(ReadTimeoutException.class);
        assertThat(AttemptLoop.isTransport(e)).isTrue();
        assertThat(AttemptLoop.transportError(e, "p").status()).isEqualTo(504);
    }

    @Test
    void aRefusedConnectionIsATransportFailureAnotherTargetMayTake() throws Exception {
        int closed = FreePorts.next();
        Throwable e = catchThrowable(() -> client.stream(new UpstreamRequest("http://127.0.0.1:" + closed + "/v1/x",
                Map.of("Content-Type", "application/json"), "{}".getBytes(StandardCharsets.UTF_8))).block(Duration.ofSeconds(10)));
        assertThat(e).isInstanceOf(UpstreamTransportException.class);
        assertThat(AttemptLoop.isTransport(e)).isTrue();
        assertThat(AttemptLoop.transportError(e, "p").status()).isEqualTo(502);
    }

    private static UpstreamRequest request(String path, Integer idleTimeoutMs) {
        return new UpstreamRequest("http://127.0.0.1:" + server.port() + path, Map.of("Content-Type", "application/json"),
                "{\"stream\":true}".getBytes(StandardCharsets.UTF_8), idleTimeoutMs);
    }
}
