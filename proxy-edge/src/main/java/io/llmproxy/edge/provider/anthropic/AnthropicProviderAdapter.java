package io.llmproxy.edge.provider.anthropic;

import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.ProviderAdapter;
import java.time.Clock;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Provider type {@code anthropic}: the Anthropic Messages API
 * (https://docs.anthropic.com/en/api/messages), base URL {@code https://api.anthropic.com}. A request
 * without {@code max_tokens}/{@code max_completion_tokens} gets {@code llmproxy.edge.default-max-tokens}
 * (default 4096), because Anthropic requires it. Anthropic has no embeddings API.
 */
@Component
class AnthropicProviderAdapter implements ProviderAdapter {

    private final JsonMapper json;
    private final long defaultMaxTokens;
    private final Clock clock = Clock.systemUTC();

    AnthropicProviderAdapter(JsonMapper json, EdgeProperties properties) {
        this.json = json;
        this.defaultMaxTokens = properties.defaultMaxTokens();
    }

    @Override
    public String type() {
        return "anthropic";
    }

    @Override
    public ChatTranslator chatTranslator(boolean stream, boolean clientWantsUsage) {
        return new AnthropicChatTranslator(json, stream, clientWantsUsage, defaultMaxTokens,
                () -> clock.instant().getEpochSecond());
    }
}
