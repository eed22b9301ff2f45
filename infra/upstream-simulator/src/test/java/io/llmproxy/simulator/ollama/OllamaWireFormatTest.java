package io.llmproxy.simulator.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.simulator.core.SimEmbeddings;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Ollama native wire format (https://github.com/ollama/ollama/blob/main/docs/api.md). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class OllamaWireFormatTest {

    @Autowired
    WebTestClient client;
    @Autowired
    JsonMapper json;

    private WebTestClient.ResponseSpec post(String path, String body, String... headers) {
        var spec = client.post().uri(path).contentType(MediaType.APPLICATION_JSON);
        for (int i = 0; i < headers.length; i += 2) {
            spec = spec.header(headers[i], headers[i + 1]);
        }
        return spec.bodyValue(body).exchange();
    }

    private String body(WebTestClient.ResponseSpec response, int status) {
        return new String(response.expectStatus().isEqualTo(status).expectBody(byte[].class).returnResult().getResponseBody(),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void chatNotStreamedIsOneBodyWithOllamaStatistics() {
        JsonNode out = json.readTree(body(post("/api/chat",
                "{\"model\":\"llama3.2\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}"), 200));
        assertThat(out.get("model").asString()).isEqualTo("llama3.2");
        assertThat(out.get("message").get("role").asString()).isEqualTo("assistant");
        assertThat(out.get("done").asBoolean()).isTrue();
        assertThat(out.get("done_reason").asString()).isEqualTo("stop");
        assertThat(out.get("prompt_eval_count").asInt()).isEqualTo(9); // 3 + 4 + 2
        assertThat(out.get("eval_count").asInt()).isEqualTo(out.get("message").get("content").asString().split(" ").length);
        assertThat(out.get("load_duration").asLong()).isEqualTo(OllamaHandler.LOAD_DURATION_NS);
    }

    @Test
    void chatStreamsNdjsonByDefaultEndingWithTheDoneLine() {
        String ndjson = body(post("/api/chat", "{\"model\":\"llama3.2\",\"options\":{\"num_predict\":3},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}"), 200);
        List<JsonNode> lines = ndjson.lines().map(json::readTree).toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.subList(0, 3)).allSatisfy(l -> assertThat(l.get("done").asBoolean()).isFalse());
        JsonNode last = lines.get(3);
        assertThat(last.get("done").asBoolean()).isTrue();
        assertThat(last.get("done_reason").asString()).isEqualTo("length");
        assertThat(last.get("eval_count").asInt()).isEqualTo(3);
        assertThat(last.get("message").get("content").asString()).isEmpty();
    }

    @Test
    void toolCallsHaveObjectArgumentsAndFaultsStopTheStream() {
        String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}]";
        JsonNode out = json.readTree(body(post("/api/chat", "{\"model\":\"sim-tool-call\",\"stream\":false" + tools
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Paris\"}]}"), 200));
        JsonNode call = out.get("message").get("tool_calls").get(0).get("function");
        assertThat(call.get("name").asString()).isEqualTo("get_weather");
        assertThat(call.get("arguments").get("query").asString()).isEqualTo("Paris");

        List<String> lines = body(post("/api/chat", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "x-sim-fault", "midstream-error"), 200).lines().toList();
        assertThat(json.readTree(lines.getLast()).get("error").asString()).startsWith("an error was encountered");
        assertThat(lines).noneMatch(l -> l.contains("\"done\":true"));
        List<String> cut = body(post("/api/chat", "{\"model\":\"sim-cut\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 200)
                .lines().toList();
        assertThat(cut).isNotEmpty().noneMatch(l -> l.contains("\"done\":true") || l.contains("error"));
    }

    @Test
    void embedReturnsSimVectorsAndPromptEvalCount() {
        JsonNode out = json.readTree(body(post("/api/embed", "{\"model\":\"all-minilm\",\"input\":[\"why is the sky blue\",\"hi\"]}"), 200));
        assertThat(out.get("embeddings")).hasSize(2);
        assertThat(out.get("embeddings").get(1).get(0).asDouble()).isEqualTo(SimEmbeddings.vector("hi", 8)[0]);
        assertThat(out.get("prompt_eval_count").asInt()).isEqualTo(6);
    }

    @Test
    void errorsAreOllamaJson() {
        JsonNode missing = json.readTree(body(post("/api/chat", "{\"model\":\"sim-error-404\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 404));
        assertThat(missing.get("error").asString()).isEqualTo("model 'sim-error-404' not found (simulated)");
        WebTestClient.ResponseSpec busy = post("/api/embed", "{\"model\":\"m\",\"input\":\"x\"}", "x-sim-status", "429");
        busy.expectHeader().valueEquals("Retry-After", "1");
        assertThat(json.readTree(body(busy, 429)).get("error").asString()).isEqualTo("too many requests (simulated)");
        assertThat(json.readTree(body(post("/api/chat", "{\"model\":\"m\"}"), 400)).get("error").asString()).isEqualTo("messages is required");
        JsonNode tags = json.readTree(client.get().uri("/api/tags").exchange().expectStatus().isOk().expectBody(byte[].class)
                .returnResult().getResponseBody());
        assertThat(tags.get("models").get(0).get("name").asString()).isEqualTo("llama3.2:latest");
    }
}
