package io.llmproxy.edge.http;

import java.util.function.Function;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * A {@code POST} endpoint of a client API (chat, messages, embeddings…), served by both frames: its
 * exact path on {@link NettyFrame}, and every other spelling or a browser's request on Spring's route
 * ({@link #spring}), which the API's router declares.
 *
 * @param path    the path as the API documents it ({@code /v1/chat/completions})
 * @param handler the endpoint: request → answer; failures are answers too (the gateway renders them)
 */
public record GatewayEndpoint(String path, Function<EdgeRequest, Mono<EdgeResponse>> handler) {

    /** @return {@code POST path} on Spring's functional routes, served by {@link #spring} */
    public org.springframework.web.reactive.function.server.RouterFunction<ServerResponse> route() {
        return org.springframework.web.reactive.function.server.RouterFunctions.route(
                org.springframework.web.reactive.function.server.RequestPredicates.POST(path), this::spring);
    }

    /** @return the endpoint's answer on Spring's functional routes */
    public Mono<ServerResponse> spring(ServerRequest request) {
        return SpringFrame.serve(request, handler);
    }
}
