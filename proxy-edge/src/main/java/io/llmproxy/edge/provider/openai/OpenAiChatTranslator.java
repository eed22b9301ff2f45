package io.llmproxy.edge.provider.openai;

import io.llmproxy.edge.provider.OpenAiCompatibleChatTranslator;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import tools.jackson.databind.json.JsonMapper;

/**
 * Canonical (OpenAI chat) ⇄ OpenAI Chat Completions: the body passes through with the route's
 * model; a stream always asks the provider for {@code stream_options.include_usage} so that the
 * usage event has the provider's own token counts, and the final usage chunk
 * ({@code "choices": []}) is passed on only when the client asked for it.
 *
 * <p>Follows https://platform.openai.com/docs/api-reference/chat/create and
 * https://platform.openai.com/docs/api-reference/chat-streaming (chunk object, usage chunk,
 * {@code data: [DONE]}), and https://platform.openai.com/docs/guides/error-codes for errors. The
 * shared behaviour is in {@link OpenAiCompatibleChatTranslator}.
 */
final class OpenAiChatTranslator extends OpenAiCompatibleChatTranslator {

    OpenAiChatTranslator(JsonMapper json, boolean stream, boolean clientWantsUsage) {
        super(json, stream, clientWantsUsage);
    }

    @Override
    protected String url(ProviderEntry provider, String providerModel) {
        return chatCompletionsUrl(provider.baseUrl());
    }

    /**
     * The base URL is the one the OpenAI SDKs take ({@code https://api.openai.com/v1}); a base URL
     * with no path at all gets {@code /v1}.
     */
    static String chatCompletionsUrl(String baseUrl) {
        return v1Url(baseUrl, "/chat/completions");
    }
}
