package io.llmproxy.simulator.cohere;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.simulator.core.SimEmbeddings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Cohere v2 wire format (https://docs.cohere.com/reference/chat, /chat-stream, /embed). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class CohereWireFormatTest {

    @Autowired
    WebTestClient client;
    @Autowired
    JsonMapper json;

    private String body(String path, String body, int status, String... headers) {
        var spec = client.post().uri(path).contentType(MediaType.APPLICATION_JSON);
        for (int i = 0; i < headers.length; i += 2) {
            spec = spec.header(headers[i], headers[i + 1]);
        }
        return new String(spec.bodyValue(body).exchange().expectStatus().isEqualTo(status).expectBody(byte[].class)
                .returnResult().getResponseBody(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private List<String[]> events(String sse) {
        List<String[]> out = new ArrayList<>();
        for (String block : sse.split("\n\n")) {
            String[] lines = block.split("\n");
            out.add(new String[] {lines[0].substring("event: ".length()), lines[1].substring("data: ".length())});
        }
        return out;
    }

    @Test
    void chatNotStreamedReportsBilledUnitsAndTokens() {
        JsonNode out = json.readTree(body("/v2/chat", "{\"model\":\"command-a\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}",
                200, "Authorization", "Bearer k"));
        assertThat(out.get("finish_reason").asString()).isEqualTo("COMPLETE");
        String text = out.get("message").get("content").get(0).get("text").asString();
        assertThat(out.get("usage").get("billed_units").get("input_tokens").asInt()).isEqualTo(9);
        assertThat(out.get("usage").get("tokens").get("input_tokens").asInt()).isEqualTo(9 + CohereHandler.TEMPLATE_TOKENS);
        assertThat(out.get("usage").get("billed_units").get("output_tokens").asInt()).isEqualTo(text.split(" ").length);
    }

    @Test
    void chatStreamsTypedEvents() {
        List<String[]> events = events(body("/v2/chat", "{\"model\":\"command-a\",\"stream\":true,\"max_tokens\":2,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}", 200, "Authorization", "Bearer k"));
        assertThat(events.stream().map(e -> e[0]).toList()).containsExactly("message-start", "content-start", "content-delta",
                "content-delta", "content-end", "message-end");
        for (String[] e : events) {
            assertThat(json.readTree(e[1]).get("type").asString()).isEqualTo(e[0]);
        }
        JsonNode end = json.readTree(events.getLast()[1]).get("delta");
        assertThat(end.get("finish_reason").asString()).isEqualTo("MAX_TOKENS");
        assertThat(end.get("usage").get("billed_units").get("output_tokens").asInt()).isEqualTo(2);
    }

    @Test
    void toolCallsStreamArgumentsInPiecesAndMidStreamErrorsEndWithError() {
        List<String[]> events = events(body("/v2/chat", "{\"model\":\"sim-tool-call\",\"stream\":true,"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\"}}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"order 42\"}]}", 200, "Authorization", "Bearer k"));
        StringBuilder arguments = new StringBuilder();
        for (String[] e : events) {
            if (e[0].equals("tool-call-delta")) {
                arguments.append(json.readTree(e[1]).get("delta").get("message").get("tool_calls").get("function").get("arguments").asString());
            }
        }
        assertThat(arguments.toString()).isEqualTo("{\"query\":\"order 42\"}");
        assertThat(json.readTree(events.getLast()[1]).get("delta").get("finish_reason").asString()).isEqualTo("TOOL_CALL");

        List<String[]> faulty = events(body("/v2/chat", "{\"model\":\"sim-midstream-error\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 200, "Authorization", "Bearer k"));
        assertThat(json.readTree(faulty.getLast()[1]).get("delta").get("finish_reason").asString()).isEqualTo("ERROR");
    }

    @Test
    void embedNeedsInputTypeAndReturnsFloats() {
        JsonNode out = json.readTree(body("/v2/embed", "{\"model\":\"embed-v4.0\",\"texts\":[\"hello\",\"good bye\"],"
                + "\"input_type\":\"search_document\",\"embedding_types\":[\"float\"]}", 200, "Authorization", "Bearer k"));
        assertThat(out.get("embeddings").get("float")).hasSize(2);
        assertThat(out.get("embeddings").get("float").get(0).get(0).asDouble()).isEqualTo(SimEmbeddings.vector("hello", 8)[0]);
        assertThat(out.get("meta").get("billed_units").get("input_tokens").asInt()).isEqualTo(3);
        assertThat(out.get("response_type").asString()).isEqualTo("embeddings_by_type");
        JsonNode error = json.readTree(body("/v2/embed", "{\"model\":\"embed-v4.0\",\"texts\":[\"x\"]}", 400, "Authorization", "Bearer k"));
        assertThat(error.get("message").asString()).startsWith("invalid request: input_type is required");
    }

    @Test
    void errorsAreCohereJson() {
        JsonNode noKey = json.readTree(body("/v2/chat", "{}", 401));
        assertThat(noKey.get("message").asString()).isEqualTo("no api key supplied");
        assertThat(noKey.get("id").asString()).hasSize(36);
        client.post().uri("/v2/chat").header("Authorization", "Bearer k").header("x-sim-status", "429")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange()
                .expectStatus().isEqualTo(429).expectHeader().valueEquals("Retry-After", "1");
    }
}
