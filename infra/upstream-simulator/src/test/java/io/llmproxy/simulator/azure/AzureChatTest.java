package io.llmproxy.simulator.azure;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The Azure OpenAI format of the simulator, over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class AzureChatTest {

    static final String BODY = """
            {"messages":[{"role":"system","content":"You are a helpful assistant."},
             {"role":"user","content":"Hello, world! How are you?"}]%s}""";

    @Autowired
    WebTestClient client;
    @Autowired
    JsonMapper mapper;

    WebTestClient.ResponseSpec post(String path, String body, String key) {
        WebTestClient.RequestBodySpec spec = client.post().uri(path).contentType(MediaType.APPLICATION_JSON);
        if (key != null) {
            spec = spec.header("api-key", key);
        }
        return spec.bodyValue(body).exchange();
    }

    JsonNode json(WebTestClient.ResponseSpec spec) {
        return mapper.readTree(spec.expectBody(byte[].class).returnResult().getResponseBody());
    }

    @Test
    void deploymentIsTheModelAndTheAnswerIsOpenAiShaped() {
        JsonNode body = json(post("/openai/deployments/sim-gpt-4o-mini/chat/completions?api-version=2024-10-21", BODY.formatted(""), "k")
                .expectStatus().isOk());
        assertThat(body.get("model").asString()).isEqualTo("sim-gpt-4o-mini");
        assertThat(body.get("choices").get(0).get("message").get("content").asString()).startsWith("a whiskey yankee zephyr ");
        assertThat(body.get("usage").get("prompt_tokens").asInt()).isEqualTo(25);
        assertThat(body.get("usage").get("completion_tokens").asInt()).isEqualTo(30);
    }

    @Test
    void streamStartsWithThePromptFilterChunkAndEndsWithDone() {
        byte[] bytes = post("/openai/deployments/d1/chat/completions?api-version=2024-10-21",
                BODY.formatted(",\"stream\":true,\"stream_options\":{\"include_usage\":true}"), "k")
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        List<String> events = List.of(new String(bytes, StandardCharsets.UTF_8).split("\n\n"));
        assertThat(mapper.readTree(events.getFirst().substring(6)).get("prompt_filter_results")).isNotNull();
        assertThat(events.getLast()).isEqualTo("data: [DONE]");
        JsonNode usage = mapper.readTree(events.get(events.size() - 2).substring(6));
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.get("usage").get("prompt_tokens").asInt()).isEqualTo(25);
    }

    @Test
    void missingKeyMissingApiVersionAndForcedStatusesUseAzuresErrorJson() {
        JsonNode noKey = json(post("/openai/deployments/d/chat/completions?api-version=2024-10-21", BODY.formatted(""), null)
                .expectStatus().isEqualTo(401));
        assertThat(noKey.get("error").get("code").asString()).isEqualTo("401");
        JsonNode noVersion = json(post("/openai/deployments/d/chat/completions", BODY.formatted(""), "k").expectStatus().isEqualTo(404));
        assertThat(noVersion.get("error").get("message").asString()).isEqualTo("Resource not found");
        post("/openai/deployments/sim-error-429/chat/completions?api-version=2024-10-21", BODY.formatted(""), "k")
                .expectStatus().isEqualTo(429).expectHeader().valueEquals("Retry-After", "1");
    }

    @Test
    void embeddingsAreDeterministicVectors() {
        JsonNode body = json(post("/openai/deployments/emb/embeddings?api-version=2024-10-21",
                "{\"input\":[\"hello world\",\"bye\"],\"dimensions\":4}", "k").expectStatus().isOk());
        assertThat(body.get("data")).hasSize(2);
        assertThat(body.get("data").get(0).get("embedding")).hasSize(4);
        assertThat(body.get("usage").get("prompt_tokens").asInt()).isEqualTo(3);
        JsonNode again = json(post("/openai/deployments/emb/embeddings?api-version=2024-10-21",
                "{\"input\":\"hello world\",\"dimensions\":4}", "k").expectStatus().isOk());
        assertThat(again.get("data").get(0).get("embedding")).isEqualTo(body.get("data").get(0).get("embedding"));
    }
}
