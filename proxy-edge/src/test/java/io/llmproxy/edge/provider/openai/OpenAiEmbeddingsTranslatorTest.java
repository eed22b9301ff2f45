package io.llmproxy.edge.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.provider.TokenUsage;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** OpenAI embeddings pass through (https://platform.openai.com/docs/api-reference/embeddings/create). */
class OpenAiEmbeddingsTranslatorTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void passesTheBodyWithTheRouteModelAndReadsUsage() {
        OpenAiEmbeddingsTranslator t = new OpenAiEmbeddingsTranslator(json);
        ObjectNode request = (ObjectNode) json.readTree("{\"model\":\"embed\",\"input\":[[1,2]],\"encoding_format\":\"base64\",\"dimensions\":4}");
        UpstreamRequest upstream = t.request(request, new ProviderEntry("p", "oai", "openai", "https://api.openai.com", "sk-x"),
                "text-embedding-3-small");
        assertThat(upstream.url()).isEqualTo("https://api.openai.com/v1/embeddings");
        assertThat(upstream.headers()).containsEntry("Authorization", "Bearer sk-x");
        assertThat(json.readTree(upstream.body())).isEqualTo(json.readTree(
                "{\"model\":\"text-embedding-3-small\",\"input\":[[1,2]],\"encoding_format\":\"base64\",\"dimensions\":4}"));
        assertThat(request.get("model").asString()).isEqualTo("embed");

        byte[] body = ("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":\"AACAPw==\"}],"
                + "\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":2,\"total_tokens\":2}}").getBytes(StandardCharsets.UTF_8);
        Translated response = t.response(body);
        assertThat(response.bytes()).isEqualTo(body);
        assertThat(t.usageSoFar()).isEqualTo(new TokenUsage(2, 0));
        assertThat(t.usageReported()).isTrue();
        assertThat(t.error(429, "{\"error\":{\"message\":\"Rate limit reached\"}}".getBytes(StandardCharsets.UTF_8), "2"))
                .isEqualTo(new UpstreamFailure(429, "rate_limit_error", "rate_limit_exceeded", "oai is rate limiting (HTTP 429): Rate limit reached", "2"));
    }
}
