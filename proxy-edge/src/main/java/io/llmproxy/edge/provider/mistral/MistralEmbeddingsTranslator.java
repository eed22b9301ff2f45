package io.llmproxy.edge.provider.mistral;

import io.llmproxy.edge.provider.OpenAiCompatibleChatTranslator;
import io.llmproxy.edge.provider.OpenAiCompatibleEmbeddingsTranslator;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import java.util.ArrayList;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Canonical (OpenAI embeddings) ⇄ Mistral embeddings (https://docs.mistral.ai/api/#tag/embeddings):
 * {@code POST {baseUrl}/embeddings}, Bearer auth, body {@code {"model","input","output_dimension"?,
 * "encoding_format"?}}: OpenAI's {@code dimensions} → {@code output_dimension}; {@code user} is dropped.
 * The response is OpenAI-shaped (plus an {@code id}, dropped).
 */
final class MistralEmbeddingsTranslator extends OpenAiCompatibleEmbeddingsTranslator {

    static final Set<String> FIELDS = Set.of("model", "input", "output_dimension", "output_dtype", "encoding_format");

    MistralEmbeddingsTranslator(JsonMapper json) {
        super(json);
    }

    @Override
    protected String url(ProviderEntry provider, String providerModel) {
        return OpenAiCompatibleChatTranslator.v1Url(provider.baseUrl(), "/embeddings");
    }

    @Override
    protected void adapt(ObjectNode body, String providerModel) {
        body.put("model", providerModel);
        JsonNode dimensions = body.get("dimensions");
        if (dimensions != null && !dimensions.isNull()) {
            body.set("output_dimension", dimensions);
        }
        for (String field : new ArrayList<>(body.propertyNames())) {
            if (!FIELDS.contains(field)) {
                body.remove(field);
            }
        }
    }
}
