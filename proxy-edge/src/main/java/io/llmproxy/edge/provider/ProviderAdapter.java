package io.llmproxy.edge.provider;

/** A provider type: creates one {@link ChatTranslator} per request. */
public interface ProviderAdapter {

    /** @return the provider type's wire name, as in {@code POST /admin/v1/providers} ({@code openai}) */
    String type();

    /**
     * @param stream            whether the client asked for a stream
     * @param clientWantsUsage  whether the client asked for {@code stream_options.include_usage}
     */
    ChatTranslator chatTranslator(boolean stream, boolean clientWantsUsage);

    /**
     * @return a translator for one embeddings call
     * @throws UnsupportedRequestException when the provider has no embeddings API (client gets 400)
     */
    default EmbeddingsTranslator embeddingsTranslator() {
        throw new UnsupportedRequestException("Provider type '" + type() + "' has no embeddings API.", "model");
    }
}
