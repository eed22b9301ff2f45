package io.llmproxy.edge.provider.azure;

import io.llmproxy.edge.provider.OpenAiCompatibleEmbeddingsTranslator;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Canonical (OpenAI embeddings) ⇄ Azure OpenAI embeddings
 * (https://learn.microsoft.com/azure/ai-services/openai/reference#embeddings):
 * {@code POST {endpoint}/openai/deployments/{deployment}/embeddings?api-version=…} with the
 * {@code api-key} header and body {@code {"input","dimensions"?,"encoding_format"?,"user"?}} (the
 * deployment, not {@code model}, selects the model, so {@code model} is not sent).
 */
final class AzureOpenAiEmbeddingsTranslator extends OpenAiCompatibleEmbeddingsTranslator {

    AzureOpenAiEmbeddingsTranslator(JsonMapper json) {
        super(json);
    }

    @Override
    protected String url(ProviderEntry provider, String providerModel) {
        return AzureUrls.url(provider.baseUrl(), providerModel, "embeddings");
    }

    @Override
    protected void authenticate(Map<String, String> headers, ProviderEntry provider) {
        headers.put("api-key", provider.apiKey());
    }

    @Override
    protected void adapt(ObjectNode body, String providerModel) {
        body.remove("model");
    }
}
