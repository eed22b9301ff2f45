package io.llmproxy.edge.api.responses;

import io.llmproxy.edge.chat.CanonicalRequest;
import io.llmproxy.edge.chat.ChatHook;
import io.llmproxy.edge.chat.ClientRequestException;
import io.llmproxy.edge.gateway.GatewayError;
import io.llmproxy.edge.gateway.GatewayException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@link ChatHook} of one {@code POST /v1/responses}: loads the conversation a
 * {@code previous_response_id} names (only the caller's tenant's: another tenant's id is 404
 * {@code previous_response_not_found}, like an unknown one; Redis unreachable → 503
 * {@code response_store_unavailable}) before routing, and saves the completed response and its
 * conversation after it, unless {@code store:false}. A save that fails is logged and the answer
 * still sent (that response then cannot be continued); a stream is saved before its
 * {@code response.completed} event leaves, so the client's next turn finds it.
 */
final class ResponsesConversation implements ChatHook {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ResponsesConversation.class);

    private final ResponsesCodec codec;
    private final ResponsesStore store;
    private boolean saved;

    ResponsesConversation(ResponsesCodec codec, ResponsesStore store) {
        this.codec = codec;
        this.store = store;
    }

    @Override
    public Mono<CanonicalRequest> prepared(String tenantId, CanonicalRequest request) {
        String previous = codec.previousResponseId();
        if (previous == null) {
            return Mono.just(request);
        }
        return store.load(tenantId, previous)
                .onErrorMap(e -> !(e instanceof GatewayException), e -> {
                    LOG.warn("Response store unreachable while loading a previous response: {}", e.toString());
                    return GatewayError.of(503, "server_error", "response_store_unavailable",
                            "Stored responses are unavailable right now; retry later.", "previous_response_id").exception();
                })
                .switchIfEmpty(Mono.error(() -> notFound(previous).exception()))
                .map(stored -> {
                    try {
                        codec.history(stored.items());
                    } catch (ClientRequestException e) {
                        throw GatewayError.badRequest(e.getMessage(), "previous_response_id").exception();
                    }
                    return request;
                });
    }

    /** The 404 of an unknown, expired, deleted or another tenant's response id (OpenAI's wording). */
    static GatewayError notFound(String id) {
        return GatewayError.of(404, "invalid_request_error", "previous_response_not_found",
                "Previous response with id '" + id + "' not found.", "previous_response_id");
    }

    @Override
    public Mono<byte[]> answered(String tenantId, byte[] clientBody) {
        return save(tenantId).thenReturn(clientBody);
    }

    @Override
    public Flux<byte[]> streaming(String tenantId, Flux<byte[]> clientStream) {
        // the codec has the whole response as soon as it wrote the completing event: save it before that leaves
        return clientStream.concatMap(bytes -> save(tenantId).thenReturn(bytes));
    }

    private Mono<Void> save(String tenantId) {
        if (saved || !codec.store() || !codec.hasStoredResponse()) {
            return Mono.empty();
        }
        ObjectNode response = codec.storedResponse();
        saved = true;
        return store.save(tenantId, response, codec.conversation())
                .onErrorResume(e -> {
                    LOG.warn("Could not store response {}: {}", response.get("id").asString(), e.toString());
                    return Mono.empty();
                });
    }
}
