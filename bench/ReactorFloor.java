import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.ConnectionProvider;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bench's Reactor Netty floor (issue #16, {@code peers} scenario, target {@code reactor}): the least
 * a gateway on Reactor Netty's {@code HttpServer} and {@code HttpClient} (the edge's HTTP stack, ADR 0024)
 * does to forward a non-streamed call. Read against {@code NettyFloor} (the same on Netty's own
 * channel handlers), it shows what Reactor Netty's reactive layer costs per call on this machine.
 *
 * <p>One route, {@code POST /v1/chat/completions}: the request body is aggregated, sent with its
 * {@code Content-Type} and {@code Authorization} to the upstream on a pooled keep-alive connection of the
 * client connection's own event loop (one {@code HttpClient} and pool per loop, {@code runOn} that loop, as the
 * edge's {@code UpstreamClient} does), and the upstream's status,
 * {@code Content-Type} and body are sent back. Nothing else: no authentication, routing, translation,
 * quota, usage event, metrics or logs. An upstream failure gives a 502 with no body.
 *
 * <p>Usage: {@code java -cp <the edge's Netty and Reactor jars>:<classes> ReactorFloor PORT UPSTREAM_URL},
 * e.g. {@code ReactorFloor 8790 http://127.0.0.1:5100}; it binds 127.0.0.1 and prints one line once listening.
 */
public final class ReactorFloor {

    private static final String PATH = "/v1/chat/completions";
    /** One client, with its own pool, per event loop of the server. */
    private static final ConcurrentHashMap<EventLoop, HttpClient> PER_LOOP = new ConcurrentHashMap<>();

    /** The upstream's answer: status, {@code Content-Type} (may be null) and body (retained). */
    private record Answer(HttpResponseStatus status, String type, ByteBuf body) {
    }

    private ReactorFloor() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: ReactorFloor PORT UPSTREAM_URL");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        String upstream = args[1];
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(port)
                .route(routes -> routes.post(PATH, (request, response) -> forward(client(request, upstream), request, response)))
                .bindNow();
        System.out.println("ReactorFloor listening on 127.0.0.1:" + server.port() + " -> " + args[1]);
        server.onDispose().block();
    }

    /** @return the client whose connections live on the event loop of {@code request}'s connection */
    private static HttpClient client(HttpServerRequest request, String upstream) {
        EventLoop[] loop = new EventLoop[1];
        request.withConnection(connection -> loop[0] = connection.channel().eventLoop());
        return PER_LOOP.computeIfAbsent(loop[0], l -> HttpClient.create(ConnectionProvider.builder("floor-" + PER_LOOP.size())
                .maxConnections(1000).build()).baseUrl(upstream).keepAlive(true).runOn(l));
    }

    private static Mono<Void> forward(HttpClient client, HttpServerRequest request, HttpServerResponse response) {
        String type = request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE);
        String authorization = request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
        return request.receive().aggregate().retain()
                .flatMap(body -> client
                        .headers(h -> {
                            if (type != null) {
                                h.set(HttpHeaderNames.CONTENT_TYPE, type);
                            }
                            if (authorization != null) {
                                h.set(HttpHeaderNames.AUTHORIZATION, authorization);
                            }
                        })
                        .post().uri(PATH).send(Mono.just(body))
                        .responseSingle((upstream, upstreamBody) -> upstreamBody.retain()
                                .map(b -> new Answer(upstream.status(), upstream.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE), b))))
                .flatMap(answer -> {
                    response.status(answer.status());
                    if (answer.type() != null) {
                        response.header(HttpHeaderNames.CONTENT_TYPE, answer.type());
                    }
                    response.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(answer.body().readableBytes()));
                    return response.send(Mono.just(answer.body())).then();
                })
                .onErrorResume(e -> response.status(HttpResponseStatus.BAD_GATEWAY).send());
    }
}
