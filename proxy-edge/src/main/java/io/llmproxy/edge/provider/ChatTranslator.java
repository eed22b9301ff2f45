package io.llmproxy.edge.provider;

import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.stream.SseEvent;
import tools.jackson.databind.node.ObjectNode;

/**
 * Translates one chat call between the canonical model (OpenAI chat completions shape) and a
 * provider's wire format. One object per request: it may keep state across stream events (tokens
 * seen so far). Imports no Spring, Reactor or Netty types.
 */
public interface ChatTranslator extends ProviderTranslator {

    /**
     * @param request       the canonical request (OpenAI {@code chat.completions} body); not modified
     * @param provider      the provider connection, with its credential
     * @param providerModel the provider's model name from the route
     * @return the request to send
     * @throws UnsupportedRequestException when the provider cannot take this request (client gets 400)
     */
    @Override
    UpstreamRequest request(ObjectNode request, ProviderEntry provider, String providerModel);

    /** @return how the provider frames its stream; {@link StreamFraming#SSE} unless overridden */
    default StreamFraming framing() {
        return StreamFraming.SSE;
    }

    /** Translates a complete (non-stream) 2xx response body to canonical bytes plus usage. */
    @Override
    Translated response(byte[] body);

    /** Translates one upstream stream event; the result's bytes are sent to the client as they are. */
    Translated streamEvent(SseEvent event);

    /**
     * Maps a non-2xx provider response.
     *
     * @param status     the provider's HTTP status
     * @param body       its body (may be empty)
     * @param retryAfter its {@code Retry-After} header, or null
     */
    @Override
    UpstreamFailure error(int status, byte[] body, String retryAfter);

    /** @return usage reported so far, or an estimate from the stream when the provider did not report it */
    @Override
    TokenUsage usageSoFar();

    /** @return true once the provider has reported usage ({@code usage} object) for this call */
    @Override
    boolean usageReported();
}
