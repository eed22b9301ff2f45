package io.llmproxy.edge.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.support.TestEdgeProperties;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * A call's provider connection lives on the call's event loop (issue #16): the whole answer and every
 * chunk of a streamed one reach the gateway on the thread of the loop the call was made with, whether the
 * request was sent from that loop or from another thread (as after a quota check answered on Redis's
 * thread), for several loops at once; without a loop the shared pool serves. A {@link Call} remembers the
 * loop it was created on.
 */
class UpstreamClientEventLoopTest {

    private static DisposableServer server;
    private static UpstreamClient client;
    private static LoopResources loops;
    private static EventLoopGroup group;

    @BeforeAll
    static void start() {
        server = HttpServer.create().host("127.0.0.1").port(0).route(routes -> routes
                .post("/whole", (request, response) -> request.receive().then(Mono.defer(() -> response
                        .header("Content-Type", "application/json").sendString(Mono.just("{\"ok\":true}")).then())))
                // three events, 10 ms apart: three network reads
                .post("/three", (request, response) -> request.receive().then(Mono.defer(() -> response
                        .header("Content-Type", "text/event-stream")
                        .sendString(Flux.interval(Duration.ofMillis(10)).take(3).map(i -> "data: " + i + "\n\n")).then()))))
                .bindNow();
        client = new UpstreamClient(TestEdgeProperties.of(null, Duration.ofMillis(500), Duration.ofMinutes(5),
                Duration.ofSeconds(2), Duration.ofSeconds(10)));
        // the edge's server loops stand-in: two native loops, like Reactor Netty's own
        loops = LoopResources.create("loop-test", 2, true);
        group = loops.onServer(true);
    }

    @AfterAll
    static void stop() {
        server.disposeNow();
        loops.disposeLater().block(Duration.ofSeconds(10));
    }

    /** Who sends: the loop itself, or another thread passing the loop on. */
    enum Sender { ON_THE_LOOP, FROM_ANOTHER_THREAD }

    static Stream<Arguments> variants() {
        List<Arguments> rows = new ArrayList<>();
        for (String kind : List.of("whole", "stream")) {
            for (Sender sender : Sender.values()) {
                rows.add(Arguments.of(kind, sender));
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} answer, sent {1}")
    @MethodSource("variants")
    void everyPieceOfTheAnswerArrivesOnTheCallsLoop(String kind, Sender sender) throws Exception {
        EventLoop first = group.next();
        EventLoop second = group.next();
        assertThat(second).isNotSameAs(first);
        // several calls on each loop at once, so that the pool has idle connections of both loops to offer
        List<CompletableFuture<List<String>>> calls = new ArrayList<>();
        List<EventLoop> expected = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (EventLoop loop : List.of(first, second)) {
                for (int i = 0; i < 4; i++) {
                    calls.add(call(kind, loop, sender));
                    expected.add(loop);
                }
            }
            for (int i = 0; i < calls.size(); i++) {
                List<String> threads = calls.get(i).get(10, TimeUnit.SECONDS);
                assertThat(threads).hasSizeGreaterThanOrEqualTo(kind.equals("stream") ? 3 : 1);
                String loopThread = threadOf(expected.get(i));
                assertThat(threads).as("call %d of round %d", i, round).containsOnly(loopThread);
            }
            calls.clear();
            expected.clear();
        }
    }

    @Test
    void withoutALoopTheSharedPoolServes() {
        String body = client.exchange(request("/whole"), null)
                .map(answer -> new String(answer.getBody(), StandardCharsets.UTF_8)).block(Duration.ofSeconds(10));
        assertThat(body).isEqualTo("{\"ok\":true}");
        assertThat(client.client(null)).isSameAs(client.client(null));
        assertThat(client.client(group.next())).isNotSameAs(client.client(null));
    }

    @Test
    void aCallRemembersTheLoopItWasCreatedOn() throws Exception {
        EventLoop loop = group.next();
        Call onLoop = loop.submit(() -> new Call("chat.completions", null)).get(10, TimeUnit.SECONDS);
        assertThat(onLoop.eventLoop()).isSameAs(loop);
        assertThat(new Call("chat.completions", null).eventLoop()).isNull();
    }

    /** @return the names of the threads each piece of the answer was delivered on */
    private static CompletableFuture<List<String>> call(String kind, EventLoop loop, Sender sender) {
        CompletableFuture<List<String>> done = new CompletableFuture<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        Runnable send = () -> {
            Flux<String> pieces = kind.equals("whole")
                    ? client.exchange(request("/whole"), loop).map(a -> new String(a.getBody(), StandardCharsets.UTF_8)).flux()
                    : client.stream(request("/three"), loop).flatMapMany(a -> a.getBody())
                            .map(bytes -> new String(bytes, StandardCharsets.UTF_8));
            pieces.doOnNext(piece -> threads.add(Thread.currentThread().getName()))
                    .subscribe(piece -> { }, done::completeExceptionally, () -> done.complete(threads));
        };
        if (sender == Sender.ON_THE_LOOP) {
            loop.execute(send);
        } else {
            Thread.ofPlatform().name("not-a-loop").start(send);
        }
        return done;
    }

    private static String threadOf(EventLoop loop) {
        try {
            return loop.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static UpstreamRequest request(String path) {
        return new UpstreamRequest("http://127.0.0.1:" + server.port() + path, Map.of("Content-Type", "application/json"),
                "{}".getBytes(StandardCharsets.UTF_8), null);
    }
}
