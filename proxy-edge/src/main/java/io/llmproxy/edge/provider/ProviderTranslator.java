package io.llmproxy.edge.provider;

import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import tools.jackson.databind.node.ObjectNode;

/**
 * What every translator of one call does, chat or embeddings: canonical request → provider request,
 * provider 2xx body → canonical bytes, provider non-2xx → {@link UpstreamFailure}, and the call's
 * tokens ({@link UsageMeter}). The edge's attempt loop talks to this interface only. One object per
 * request; no Spring, Reactor or Netty types.
 */
public interface ProviderTranslator extends UsageMeter {

    /**
     * @param request       the canonical request (OpenAI {@code chat.completions} or {@code embeddings} body); not modified
     * @param provider      the provider connection, with its credential
     * @param providerModel the provider's model name from the route's target
     * @return the request to send
     * @throws UnsupportedRequestException when the provider cannot take this request (client gets 400)
     */
    UpstreamRequest request(ObjectNode request, ProviderEntry provider, String providerModel);

    /** Translates a complete (non-stream) 2xx body to canonical bytes plus usage, or an {@link Translated#error()}. */
    Translated response(byte[] body);

    /**
     * Maps a non-2xx provider response (see {@link UpstreamFailures#forStatus}).
     *
     * @param status     the provider's HTTP status
     * @param body       its body (may be empty)
     * @param retryAfter its {@code Retry-After} header, or null
     */
    UpstreamFailure error(int status, byte[] body, String retryAfter);
}
