package io.llmproxy.edge.http;

import java.util.Map;
import java.util.function.Function;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The gateway endpoints on Spring WebFlux's functional routes: every request that {@link NettyFrame}
 * does not take (a browser's, with {@code Origin}, through {@link EdgeCors}; a path in another
 * spelling; a query string; another method) reaches the same handler through here, so both frames
 * answer alike. Also turns an {@link EdgeResponse} into a {@link ServerResponse} for the endpoints
 * that live only on Spring's routes.
 */
public final class SpringFrame {

    private static final DefaultDataBufferFactory BUFFERS = DefaultDataBufferFactory.sharedInstance;
    private static final byte[] EMPTY = new byte[0];

    private SpringFrame() {
    }

    /** @return {@code handler}'s answer to {@code request}, as a {@link ServerResponse} */
    public static Mono<ServerResponse> serve(ServerRequest request, Function<EdgeRequest, Mono<EdgeResponse>> handler) {
        return handler.apply(request(request)).flatMap(SpringFrame::response);
    }

    /** @return {@code request} as an {@link EdgeRequest} (its body read with Spring's codec limit) */
    public static EdgeRequest request(ServerRequest request) {
        return new EdgeRequest() {
            @Override
            public String path() {
                return request.path();
            }

            @Override
            public String header(String name) {
                return request.headers().firstHeader(name);
            }

            @Override
            public Mono<byte[]> body() {
                return EdgeRequest.declaredWithin(request.headers().firstHeader(HttpHeaders.CONTENT_LENGTH), codecLimit(request),
                        () -> request.bodyToMono(byte[].class).defaultIfEmpty(EMPTY));
            }
        };
    }

    /**
     * @return the byte limit of the codec that reads {@code byte[]} bodies ({@code spring.http.codecs.max-in-memory-size});
     *         {@link Long#MAX_VALUE} when it has none (-1)
     */
    static long codecLimit(ServerRequest request) {
        for (org.springframework.http.codec.HttpMessageReader<?> reader : request.messageReaders()) {
            if (reader instanceof org.springframework.http.codec.DecoderHttpMessageReader<?> decoding
                    && decoding.getDecoder() instanceof org.springframework.core.codec.ByteArrayDecoder bytes) {
                return bytes.getMaxInMemorySize() < 0 ? Long.MAX_VALUE : bytes.getMaxInMemorySize();
            }
        }
        return Long.MAX_VALUE;
    }

    /** @return {@code answer} as a {@link ServerResponse}; its late headers are set when it is committed */
    public static Mono<ServerResponse> response(EdgeResponse answer) {
        ServerResponse.BodyBuilder builder = ServerResponse.status(answer.status()).contentType(mediaType(answer.contentType()))
                .headers(h -> answer.headers().forEach(h::set));
        Mono<ServerResponse> response;
        if (answer.stream() == null) {
            response = builder.bodyValue(answer.body());
        } else {
            response = builder.body((message, context) -> message.writeAndFlushWith(
                    answer.stream().map(bytes -> Mono.<DataBuffer>just(BUFFERS.wrap(bytes)))));
        }
        return response.map(built -> new Committing(built, answer));
    }

    /** @return the media type, without parsing for the usual ones */
    static MediaType mediaType(String contentType) {
        return switch (contentType) {
            case "application/json" -> MediaType.APPLICATION_JSON;
            case "text/event-stream" -> MediaType.TEXT_EVENT_STREAM;
            case "application/x-ndjson" -> MediaType.APPLICATION_NDJSON;
            default -> MediaType.parseMediaType(contentType);
        };
    }

    /** A response that sets the answer's late headers just before it is committed. */
    private record Committing(ServerResponse delegate, EdgeResponse answer) implements ServerResponse {

        @Override
        public HttpStatusCode statusCode() {
            return delegate.statusCode();
        }

        @Override
        public HttpHeaders headers() {
            return delegate.headers();
        }

        @Override
        public MultiValueMap<String, ResponseCookie> cookies() {
            return delegate.cookies();
        }

        @Override
        public Mono<Void> writeTo(ServerWebExchange exchange, Context context) {
            exchange.getResponse().beforeCommit(() -> {
                Map<String, String> late = answer.lateHeaders();
                late.forEach(exchange.getResponse().getHeaders()::set);
                return Mono.empty();
            });
            return delegate.writeTo(exchange, context);
        }
    }
}
