package io.llmproxy.edge.provider.mistral;

import io.llmproxy.edge.provider.OpenAiCompatibleChatTranslator;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import java.util.ArrayList;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Canonical (OpenAI chat) ⇄ Mistral chat completions (https://docs.mistral.ai/api/#tag/chat):
 * {@code POST {baseUrl}/chat/completions} ({@code baseUrl} as {@code https://api.mistral.ai/v1}),
 * {@code Authorization: Bearer}. The body is OpenAI's with these differences:
 * <ul>
 *   <li>{@code seed} → {@code random_seed}; {@code max_completion_tokens} → {@code max_tokens};</li>
 *   <li>{@code tool_choice: "required"} → {@code "any"} (Mistral's name for "must call a tool");</li>
 *   <li>fields Mistral does not define are dropped (its API refuses unknown fields), among them
 *       {@code stream_options} (Mistral always puts {@code usage} in its last stream chunk),
 *       {@code user}, {@code logprobs}, {@code logit_bias}, {@code store}, {@code metadata}.</li>
 * </ul>
 * Mistral's last stream chunk carries {@code usage} next to the finish reason; it is split into an
 * OpenAI chunk and, when the client asked for {@code stream_options.include_usage}, an OpenAI usage
 * chunk (see {@link OpenAiCompatibleChatTranslator}). Error bodies are
 * {@code {"object":"error","message","type","param","code"}} or, for 422, {@code {"detail":[{"msg"}]}}.
 */
final class MistralChatTranslator extends OpenAiCompatibleChatTranslator {

    /** Request fields of Mistral's chat completions API that pass through unchanged. */
    static final Set<String> FIELDS = Set.of("model", "messages", "temperature", "top_p", "max_tokens", "stream", "stop",
            "random_seed", "response_format", "tools", "tool_choice", "presence_penalty", "frequency_penalty", "n",
            "prediction", "parallel_tool_calls", "safe_prompt");

    MistralChatTranslator(JsonMapper json, boolean stream, boolean clientWantsUsage) {
        super(json, stream, clientWantsUsage);
    }

    @Override
    protected String url(ProviderEntry provider, String providerModel) {
        return v1Url(provider.baseUrl(), "/chat/completions");
    }

    @Override
    protected void adapt(ObjectNode body, String providerModel) {
        body.put("model", providerModel);
        JsonNode seed = body.get("seed");
        if (seed != null && !seed.isNull() && !body.has("random_seed")) {
            body.set("random_seed", seed);
        }
        JsonNode maxCompletion = body.get("max_completion_tokens");
        if (maxCompletion != null && !maxCompletion.isNull()) {
            body.set("max_tokens", maxCompletion);
        }
        JsonNode toolChoice = body.get("tool_choice");
        if (toolChoice != null && toolChoice.isString() && "required".equals(toolChoice.asString())) {
            body.put("tool_choice", "any");
        }
        for (String field : new ArrayList<>(body.propertyNames())) {
            if (!FIELDS.contains(field)) {
                body.remove(field);
            }
        }
    }
}
