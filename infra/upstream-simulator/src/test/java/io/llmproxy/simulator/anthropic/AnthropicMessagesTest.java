package io.llmproxy.simulator.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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

/** The Anthropic Messages format of the simulator, over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class AnthropicMessagesTest {

    /** Same conversation as OpenAiChatCompletionsTest, so the same plan: 25 prompt tokens, 30 completion tokens. */
    static final String BODY = """
            {"model":"%s","max_tokens":1000,"system":"You are a helpful assistant.",%s
             "messages":[{"role":"user","content":"Hello, world! How are you?"}]}""";

    @Autowired
    WebTestClient client;
    @Autowired
    JsonMapper mapper;

    WebTestClient.ResponseSpec post(String body, String... headers) {
        WebTestClient.RequestBodySpec spec = client.post().uri("/v1/messages").contentType(MediaType.APPLICATION_JSON);
        for (int i = 0; i < headers.length; i += 2) {
            spec = spec.header(headers[i], headers[i + 1]);
        }
        return spec.bodyValue(body).exchange();
    }

    JsonNode json(WebTestClient.ResponseSpec spec) {
        return mapper.readTree(spec.expectBody(byte[].class).returnResult().getResponseBody());
    }

    static final String[] AUTH = {"x-api-key", "sk-ant-test", "anthropic-version", "2023-06-01"};

    /** (event name, data) pairs of a stream. */
    List<String[]> events(String body) {
        byte[] bytes = post(body, AUTH).expectStatus().isOk().expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .expectBody(byte[].class).returnResult().getResponseBody();
        List<String[]> out = new ArrayList<>();
        for (String block : new String(bytes, StandardCharsets.UTF_8).split("\n\n")) {
            String[] lines = block.split("\n");
            assertThat(lines).hasSize(2);
            assertThat(lines[0]).startsWith("event: ");
            assertThat(lines[1]).startsWith("data: ");
            out.add(new String[] {lines[0].substring(7), lines[1].substring(6)});
        }
        return out;
    }

    @Test
    void messageHasAnthropicsShapeAndTheSharedPlan() {
        JsonNode message = json(post(BODY.formatted("sim-gpt-4o-mini", ""), AUTH).expectStatus().isOk());
        assertThat(message.get("type").asString()).isEqualTo("message");
        assertThat(message.get("id").asString()).startsWith("msg_").hasSize(28);
        assertThat(message.get("role").asString()).isEqualTo("assistant");
        assertThat(message.get("content").get(0).get("type").asString()).isEqualTo("text");
        assertThat(message.get("content").get(0).get("text").asString()).startsWith("a whiskey yankee zephyr ");
        assertThat(message.get("stop_reason").asString()).isEqualTo("end_turn");
        assertThat(message.get("usage").get("input_tokens").asInt()).isEqualTo(25);
        assertThat(message.get("usage").get("output_tokens").asInt()).isEqualTo(30);
        assertThat(message.get("usage").get("cache_read_input_tokens").asInt()).isZero();
    }

    @Test
    void maxTokensCutsWithStopReasonMaxTokensAndCacheKnobSplitsInputTokens() {
        JsonNode message = json(post(BODY.formatted("sim-cache-20", "").replace("1000", "3"), AUTH).expectStatus().isOk());
        assertThat(message.get("stop_reason").asString()).isEqualTo("max_tokens");
        assertThat(message.get("usage").get("output_tokens").asInt()).isEqualTo(3);
        assertThat(message.get("usage").get("input_tokens").asInt()).isEqualTo(5);
        assertThat(message.get("usage").get("cache_read_input_tokens").asInt()).isEqualTo(20);
    }

    @Test
    void streamHasTheDocumentedEventSequenceAndTheSameText() {
        JsonNode whole = json(post(BODY.formatted("sim-gpt-4o-mini", ""), AUTH).expectStatus().isOk());
        List<String[]> events = events(BODY.formatted("sim-gpt-4o-mini", "\"stream\":true,"));
        List<String> names = events.stream().map(e -> e[0]).toList();
        assertThat(names.subList(0, 3)).containsExactly("message_start", "content_block_start", "ping");
        assertThat(names.subList(names.size() - 3, names.size())).containsExactly("content_block_stop", "message_delta", "message_stop");
        StringBuilder text = new StringBuilder();
        for (String[] e : events) {
            if (e[0].equals("content_block_delta")) {
                text.append(mapper.readTree(e[1]).get("delta").get("text").asString());
            }
        }
        assertThat(text.toString()).isEqualTo(whole.get("content").get(0).get("text").asString());
        JsonNode delta = mapper.readTree(events.get(events.size() - 2)[1]);
        assertThat(delta.get("delta").get("stop_reason").asString()).isEqualTo("end_turn");
        assertThat(delta.get("usage").get("output_tokens").asInt()).isEqualTo(30);
        assertThat(mapper.readTree(events.get(0)[1]).get("message").get("usage").get("input_tokens").asInt()).isEqualTo(25);
    }

    @Test
    void toolsModelAnswersWithToolUseStreamedAsInputJsonDeltas() {
        String tools = "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\"}}],";
        JsonNode message = json(post(BODY.formatted("sim-tools", tools), AUTH).expectStatus().isOk());
        assertThat(message.get("stop_reason").asString()).isEqualTo("tool_use");
        JsonNode tool = message.get("content").get(1);
        assertThat(tool.get("type").asString()).isEqualTo("tool_use");
        assertThat(tool.get("name").asString()).isEqualTo("get_weather");
        assertThat(tool.get("id").asString()).startsWith("toolu_");

        List<String[]> events = events(BODY.formatted("sim-tools", tools + "\"stream\":true,"));
        StringBuilder json = new StringBuilder();
        for (String[] e : events) {
            JsonNode data = mapper.readTree(e[1]);
            if (e[0].equals("content_block_delta") && data.get("index").asInt() == 1) {
                json.append(data.get("delta").get("partial_json").asString());
            }
        }
        assertThat(mapper.readTree(json.toString())).isEqualTo(tool.get("input"));
    }

    @Test
    void authVersionAndOverloadedErrorsUseAnthropicsErrorJson() {
        JsonNode noKey = json(post(BODY.formatted("m", ""), "anthropic-version", "2023-06-01").expectStatus().isEqualTo(401));
        assertThat(noKey.get("type").asString()).isEqualTo("error");
        assertThat(noKey.get("error").get("type").asString()).isEqualTo("authentication_error");
        JsonNode noVersion = json(post(BODY.formatted("m", ""), "x-api-key", "k").expectStatus().isEqualTo(400));
        assertThat(noVersion.get("error").get("message").asString()).contains("anthropic-version");
        JsonNode overloaded = json(post(BODY.formatted("sim-error-529", ""), AUTH).expectStatus().isEqualTo(529));
        assertThat(overloaded.get("error").get("type").asString()).isEqualTo("overloaded_error");
        post(BODY.formatted("m", ""), "x-api-key", "k", "anthropic-version", "2023-06-01", "x-sim-status", "429")
                .expectStatus().isEqualTo(429).expectHeader().valueEquals("retry-after", "1");
        JsonNode systemRole = json(post("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}",
                AUTH).expectStatus().isEqualTo(400));
        assertThat(systemRole.get("error").get("type").asString()).isEqualTo("invalid_request_error");
    }

    @Test
    void midstreamFaultEndsWithAnOverloadedErrorEvent() {
        List<String[]> events = events(BODY.formatted("sim-fault-midstream-error", "\"stream\":true,"));
        assertThat(events.getLast()[0]).isEqualTo("error");
        assertThat(mapper.readTree(events.getLast()[1]).get("error").get("type").asString()).isEqualTo("overloaded_error");
        assertThat(events.stream().map(e -> e[0])).doesNotContain("message_stop");
    }
}
