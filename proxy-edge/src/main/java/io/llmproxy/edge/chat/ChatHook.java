package io.llmproxy.edge.chat;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What a client format may add around the {@link ChatPipeline}, for state it keeps between calls
 * (e.g. the Responses API's {@code previous_response_id}): complete the canonical request before
 * the model check and routing, and see the client's answer before it is sent. Every method runs
 * after authentication, with the caller's tenant; none may block (Redis and the like through
 * reactive clients). The defaults change nothing ({@link #NONE}).
 */
public interface ChatHook {

    /** Changes nothing. */
    ChatHook NONE = new ChatHook() {
    };

    /**
     * @param tenantId the caller's tenant
     * @param request  the codec's canonical request (its body may be changed in place)
     * @return the request to route; failures as {@link io.llmproxy.edge.gateway.GatewayException}
     */
    default Mono<CanonicalRequest> prepared(String tenantId, CanonicalRequest request) {
        return Mono.just(request);
    }

    /**
     * @param clientBody a whole 2xx answer in the client's format, about to be sent
     * @return the body to send
     */
    default Mono<byte[]> answered(String tenantId, byte[] clientBody) {
        return Mono.just(clientBody);
    }

    /**
     * @param clientStream the client's stream bytes (ending with the codec's end or its stream error)
     * @return the stream to send
     */
    default Flux<byte[]> streaming(String tenantId, Flux<byte[]> clientStream) {
        return clientStream;
    }
}
