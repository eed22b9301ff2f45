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
}
