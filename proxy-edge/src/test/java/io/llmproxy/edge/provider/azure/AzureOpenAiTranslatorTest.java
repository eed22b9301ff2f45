package io.llmproxy.edge.provider.azure;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.provider.GoldenCase;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.provider.UpstreamRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Canonical ⇄ Azure OpenAI chat completions and embeddings, against golden fixtures. */
class AzureOpenAiTranslatorTest {

    static final GoldenCase CHAT = new GoldenCase("azure-openai", "azure/chat");

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    void goldenChat(boolean stream) {
        AzureOpenAiChatTranslator translator = new AzureOpenAiChatTranslator(GoldenCase.JSON, stream, true);
        UpstreamRequest request = CHAT.assertRequest(translator.request(CHAT.request(stream), CHAT.provider(), CHAT.providerModel()), stream);
        assertThat(request.headers()).containsEntry("api-key", GoldenCase.SECRET).doesNotContainKey("Authorization");
        if (stream) {
            CHAT.assertStream(translator);
        } else {
            CHAT.assertChatResponse(translator);
        }
    }

    @Test
    void goldenEmbeddings() {
        GoldenCase golden = new GoldenCase("azure-openai", "azure/embeddings");
        AzureOpenAiEmbeddingsTranslator translator = new AzureOpenAiEmbeddingsTranslator(GoldenCase.JSON);
        UpstreamRequest request = golden.assertRequest(translator.request(golden.request(false), golden.provider(),
                golden.providerModel()), false);
        assertThat(request.headers()).containsEntry("api-key", GoldenCase.SECRET);
        golden.assertEmbeddingsResponse(translator);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "https://r.openai.azure.com, https://r.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2024-10-21",
            "https://r.openai.azure.com/, https://r.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2024-10-21",
            "https://r.openai.azure.com/openai, https://r.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2024-10-21",
            "https://r.openai.azure.com/openai/, https://r.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2024-10-21",
            "https://r.openai.azure.com/openai?api-version=2025-01-01-preview, https://r.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2025-01-01-preview",
            "http://127.0.0.1:5100/?api-version=2024-06-01, http://127.0.0.1:5100/openai/deployments/dep/chat/completions?api-version=2024-06-01",
            "https://gw.example.com/azure/openai/, https://gw.example.com/azure/openai/deployments/dep/chat/completions?api-version=2024-10-21"})
    void baseUrlWithOrWithoutOpenaiOrSlashAndTheApiVersionPrecedence(String baseUrl, String expected) {
        assertThat(AzureUrls.url(baseUrl, "dep", "chat/completions")).isEqualTo(expected);
    }

    @Test
    void azureErrorsKeepTheirMessageAndRetryAfter() {
        AzureOpenAiChatTranslator t = new AzureOpenAiChatTranslator(GoldenCase.JSON, false, false);
        t.request(CHAT.request(false), CHAT.provider(), "dep");
        UpstreamFailure failure = t.error(429, "{\"error\":{\"code\":\"429\",\"message\":\"Please retry after 1 second.\"}}"
                .getBytes(StandardCharsets.UTF_8), "1");
        assertThat(failure).isEqualTo(new UpstreamFailure(429, "rate_limit_error", "rate_limit_exceeded",
                "golden-azure-openai is rate limiting (HTTP 429): Please retry after 1 second.", "1"));
        assertThat(t.error(401, "{\"error\":{\"code\":\"401\",\"message\":\"Access denied\"}}".getBytes(StandardCharsets.UTF_8), null).code())
                .isEqualTo("upstream_auth_failed");
    }
}
