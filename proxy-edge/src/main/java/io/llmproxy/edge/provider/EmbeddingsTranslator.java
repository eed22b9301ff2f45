package io.llmproxy.edge.provider;

import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import tools.jackson.databind.node.ObjectNode;

/**
 * Translates one embeddings call between the canonical model (OpenAI {@code embeddings} shape,
 * https://platform.openai.com/docs/api-reference/embeddings/create) and a provider's wire format.
 * One object per request. Imports no Spring, Reactor or Netty types.
 */
public interface EmbeddingsTranslator extends ProviderTranslator {

    /**
     * @param request       the canonical request ({@code {"model","input":string|string[],"dimensions"?,"encoding_format"?}}); not modified
     * @param provider      the provider connection, with its credential
     * @param providerModel the provider's model name from the route
     * @return the request to send
     * @throws UnsupportedRequestException when the provider cannot take this request (client gets 400)
     */
    @Override
    UpstreamRequest request(ObjectNode request, ProviderEntry provider, String providerModel);

    /**
     * Translates a 2xx response to canonical bytes
     * ({@code {"object":"list","data":[{"object":"embedding","index","embedding":[…]}],"model","usage":{"prompt_tokens","total_tokens"}}})
     * plus usage (prompt tokens; completion tokens 0).
     */
    @Override
    Translated response(byte[] body);

    /** Maps a non-2xx provider response, as {@link ChatTranslator#error}. */
    @Override
    UpstreamFailure error(int status, byte[] body, String retryAfter);
}
