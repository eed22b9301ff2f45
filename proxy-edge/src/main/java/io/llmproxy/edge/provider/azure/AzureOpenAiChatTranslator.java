package io.llmproxy.edge.provider.azure;

import io.llmproxy.edge.provider.OpenAiCompatibleChatTranslator;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Canonical (OpenAI chat) ⇄ Azure OpenAI chat completions
 * (https://learn.microsoft.com/azure/ai-services/openai/reference#chat-completions): the OpenAI
 * body on {@code {endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…}
 * (see {@link AzureUrls}), authenticated by the {@code api-key} header. The route's target model is
 * the deployment name. Streams carry {@code stream_options.include_usage} (supported since
 * api-version 2024-09-01-preview and in 2024-10-21 GA); Azure's leading {@code prompt_filter_results}
 * chunk (empty {@code choices}) is dropped. Error bodies are OpenAI-like
 * ({@code {"error":{"code","message"}}}).
 */
final class AzureOpenAiChatTranslator extends OpenAiCompatibleChatTranslator {

    AzureOpenAiChatTranslator(JsonMapper json, boolean stream, boolean clientWantsUsage) {
        super(json, stream, clientWantsUsage);
    }

    @Override
    protected String url(ProviderEntry provider, String providerModel) {
        return AzureUrls.url(provider.baseUrl(), providerModel, "chat/completions");
    }

    @Override
    protected void authenticate(Map<String, String> headers, ProviderEntry provider) {
        headers.put("api-key", provider.apiKey());
    }
}
