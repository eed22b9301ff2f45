package io.llmproxy.simulator.mistral;

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

/** The Mistral format of the simulator (under /mistral), over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class MistralChatTest {

    static final String BODY = """
            {"model":"%s","messages":[{"role":"system","content":"You are a helpful assistant."},
             {"role":"user","content":"Hello, world! How are you?"}]%s}""";

    @Autowired
    WebTestClient client;
    @Autowired
    JsonMapper mapper;

    WebTestClient.ResponseSpec post(String body) {
        return client.post().uri("/mistral/v1/chat/completions").header("Authorization", "Bearer k")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    JsonNode json(WebTestClient.ResponseSpec spec) {
        return mapper.readTree(spec.expectBody(byte[].class).returnResult().getResponseBody());
    }

    @Test
    void streamCarriesUsageOnTheFinishChunk() {
        byte[] bytes = post(BODY.formatted("sim-gpt-4o-mini", ",\"stream\":true")).expectStatus().isOk()
                .expectBody(byte[].class).returnResult().getResponseBody();
        List<String> events = List.of(new String(bytes, StandardCharsets.UTF_8).split("\n\n"));
        assertThat(events.getLast()).isEqualTo("data: [DONE]");
        JsonNode finish = mapper.readTree(events.get(events.size() - 2).substring(6));
        assertThat(finish.get("choices").get(0).get("finish_reason").asString()).isEqualTo("stop");
        assertThat(finish.get("usage").get("prompt_tokens").asInt()).isEqualTo(25);
        assertThat(finish.get("usage").get("completion_tokens").asInt()).isEqualTo(30);
    }

    @Test
    void fieldsMistralDoesNotDefineAreRefusedWith422() {
        JsonNode error = json(post(BODY.formatted("m", ",\"seed\":1")).expectStatus().isEqualTo(422));
        assertThat(error.get("object").asString()).isEqualTo("error");
        assertThat(error.get("message").asString()).isEqualTo("Extra inputs are not permitted: body.seed");
        post(BODY.formatted("m", ",\"random_seed\":1")).expectStatus().isOk();
    }

    @Test
    void toolCallArrivesWholeWithANineCharacterId() {
        String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"parameters\":{}}}],\"tool_choice\":\"any\"";
        JsonNode body = json(post(BODY.formatted("sim-tools", tools)).expectStatus().isOk());
        JsonNode call = body.get("choices").get(0).get("message").get("tool_calls").get(0);
        assertThat(call.get("id").asString()).hasSize(9);
        assertThat(call.get("function").get("name").asString()).isEqualTo("lookup");
        assertThat(mapper.readTree(call.get("function").get("arguments").asString()).has("query")).isTrue();
        assertThat(body.get("choices").get(0).get("finish_reason").asString()).isEqualTo("tool_calls");
    }

    @Test
    void missingBearerIs401() {
        client.post().uri("/mistral/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue(BODY.formatted("m", ""))
                .exchange().expectStatus().isEqualTo(401).expectBody().jsonPath("$.message").isEqualTo("Unauthorized");
    }
}
