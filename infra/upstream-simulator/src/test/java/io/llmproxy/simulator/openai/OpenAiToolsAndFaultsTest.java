package io.llmproxy.simulator.openai;

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

/** The OpenAI format honours the sim-tools and stream-fault knobs like the other formats. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class OpenAiToolsAndFaultsTest {

    static final String TOOLS = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"parameters\":{}}}]";

    @Autowired
    WebTestClient client;
    @Autowired
    JsonMapper mapper;

    byte[] post(String body, String... headers) {
        WebTestClient.RequestBodySpec spec = client.post().uri("/v1/chat/completions").header("Authorization", "Bearer k")
                .contentType(MediaType.APPLICATION_JSON);
        for (int i = 0; i < headers.length; i += 2) {
            spec = spec.header(headers[i], headers[i + 1]);
        }
        return spec.bodyValue(body).exchange().expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
    }

    static String body(String model, String extra) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Find it\"}]" + extra + "}";
    }

    @Test
    void toolCallStreamsIdAndNameFirstThenArgumentPiecesThatConcatenateToTheWholeArguments() {
        JsonNode whole = mapper.readTree(post(body("sim-tools", TOOLS)));
        JsonNode call = whole.get("choices").get(0).get("message").get("tool_calls").get(0);
        assertThat(call.get("id").asString()).startsWith("call_");
        assertThat(whole.get("choices").get(0).get("finish_reason").asString()).isEqualTo("tool_calls");

        String raw = new String(post(body("sim-tools", TOOLS + ",\"stream\":true")), StandardCharsets.UTF_8);
        assertThat(raw).endsWith("data: [DONE]\n\n");
        StringBuilder arguments = new StringBuilder();
        List<String> events = List.of(raw.split("\n\n"));
        JsonNode first = null;
        for (String event : events.subList(0, events.size() - 1)) {
            for (JsonNode tc : mapper.readTree(event.substring(6)).path("choices").path(0).path("delta").path("tool_calls")) {
                first = first == null ? tc : first;
                arguments.append(tc.path("function").path("arguments").asString(""));
            }
        }
        assertThat(first.get("id").asString()).isEqualTo(call.get("id").asString());
        assertThat(first.get("function").get("name").asString()).isEqualTo("lookup");
        assertThat(arguments.toString()).isEqualTo(call.get("function").get("arguments").asString());
    }

    @Test
    void faultHeaderCutsTheStreamOrEndsItWithAnErrorEvent() {
        String cut = new String(post(body("m", ",\"stream\":true"), "x-sim-fault", "cut"), StandardCharsets.UTF_8);
        assertThat(cut).doesNotContain("[DONE]").doesNotContain("\"error\"");
        String error = new String(post(body("sim-fault-midstream-error", ",\"stream\":true")), StandardCharsets.UTF_8);
        List<String> events = List.of(error.split("\n\n"));
        assertThat(mapper.readTree(events.getLast().substring(6)).get("error").get("type").asString()).isEqualTo("server_error");
    }
}
