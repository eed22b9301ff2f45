package io.llmproxy.edge.api.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmproxy.edge.chat.CanonicalRequest;
import io.llmproxy.edge.chat.ClientRequestException;
import io.llmproxy.edge.gateway.GatewayError;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.stream.SseDecoder;
import io.llmproxy.edge.stream.SseEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Golden fixtures under {@code golden/client-anthropic/}, written from
 * https://docs.anthropic.com/en/api/messages and https://docs.anthropic.com/en/api/messages-streaming.
 */
class AnthropicMessagesCodecTest {

    final JsonMapper json = JsonMapper.builder().build();

    static byte[] golden(String name) {
        try (InputStream in = AnthropicMessagesCodecTest.class.getResourceAsStream("/golden/client-anthropic/" + name)) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new AssertionError("missing fixture " + name, e);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void requestWithSystemImageToolUseAndToolResultBecomesTheCanonicalRequest(boolean stream) {
        ObjectNode request = (ObjectNode) json.readTree(golden("request-tools.json"));
        request.put("stream", stream);
        CanonicalRequest canonical = new AnthropicMessagesCodec(json).canonical(json.writeValueAsBytes(request));

        ObjectNode expected = (ObjectNode) json.readTree(golden("request-tools.canonical.json"));
        if (stream) {
            expected.put("stream", true);
            expected.putObject("stream_options").put("include_usage", true);
        }
        assertThat(json.readTree(canonical.body().toString())).isEqualTo(expected);
        assertThat(canonical.model()).isEqualTo("claude-sonnet-4-5");
        assertThat(canonical.stream()).isEqualTo(stream);
        assertThat(canonical.clientWantsUsage()).isTrue();
    }

    @Test
    void toolChoicesMapToOpenAiOnes() {
        String base = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tool_choice\":";
        assertThat(canonical(base + "{\"type\":\"any\"}}").get("tool_choice").asString()).isEqualTo("required");
        assertThat(canonical(base + "{\"type\":\"none\"}}").get("tool_choice").asString()).isEqualTo("none");
        JsonNode tool = canonical(base + "{\"type\":\"tool\",\"name\":\"get_weather\"}}").get("tool_choice");
        assertThat(tool.toString()).isEqualTo("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}");
    }

    JsonNode canonical(String body) {
        return new AnthropicMessagesCodec(json).canonical(body.getBytes(StandardCharsets.UTF_8)).body();
    }

    @Test
    void missingFieldsAndUnsupportedBlocksAre400InAnthropicWords() {
        AnthropicMessagesCodec codec = new AnthropicMessagesCodec(json);
        assertThatThrownBy(() -> codec.canonical("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}".getBytes()))
                .isInstanceOf(ClientRequestException.class).hasMessage("max_tokens: Field required (an integer from 1 to 2147483647)");
        assertThatThrownBy(() -> codec.canonical("{\"max_tokens\":3,\"messages\":[]}".getBytes()))
                .isInstanceOf(ClientRequestException.class).hasMessage("model: Field required");
        assertThatThrownBy(() -> codec.canonical(("{\"model\":\"m\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"document\",\"source\":{}}]}]}").getBytes()))
                .isInstanceOf(ClientRequestException.class).hasMessage("content block type 'document' is not supported by this gateway");
        assertThatThrownBy(() -> codec.canonical(("{\"model\":\"m\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]}").getBytes()))
                .isInstanceOf(ClientRequestException.class).hasMessageContaining("only custom tools");
        assertThatThrownBy(() -> codec.canonical("not json".getBytes()))
                .isInstanceOf(ClientRequestException.class).hasMessage("The request body is not valid JSON.");
        String head = "{\"model\":\"m\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":";
        assertThatThrownBy(() -> codec.canonical((head + "[{\"type\":\"text\"}]}]}").getBytes()))
                .isInstanceOf(ClientRequestException.class).hasMessage("messages: a text block needs a string 'text'");
        assertThatThrownBy(() -> codec.canonical((head + "[{\"type\":\"text\",\"text\":7}]}]}").getBytes()))
                .isInstanceOf(ClientRequestException.class).hasMessage("messages: a text block needs a string 'text'");
        assertThatThrownBy(() -> codec.canonical((head + "[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\"}}]}]}")
                .getBytes())).isInstanceOf(ClientRequestException.class).hasMessage("messages: a base64 image needs source.data");
        assertThatThrownBy(() -> codec.canonical((head + "[{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"file:///etc/passwd\"}}]}]}")
                .getBytes())).isInstanceOf(ClientRequestException.class).hasMessage("messages: an image url must be http(s)");
        assertThatThrownBy(() -> codec.canonical((head + "\"x\"}],\"tools\":[{\"name\":\"t\",\"input_schema\":\"notobject\"}]}")
                .getBytes())).isInstanceOf(ClientRequestException.class).hasMessage("tools: input_schema must be a JSON Schema object");
        assertThatThrownBy(() -> codec.canonical((head + "\"x\"}],\"tool_choice\":{\"type\":\"tool\"}}").getBytes()))
                .isInstanceOf(ClientRequestException.class).hasMessage("tool_choice.name: Field required for type tool");
    }

    @Test
    void xApiKeyOrBearerAuthenticates() {
        AnthropicMessagesCodec codec = new AnthropicMessagesCodec(json);
        assertThat(codec.authorization(h -> h.equals("x-api-key") ? "lp-key" : null)).isEqualTo("Bearer lp-key");
        assertThat(codec.authorization(h -> h.equals("Authorization") ? "Bearer lp-other" : null)).isEqualTo("Bearer lp-other");
        assertThat(codec.authorization(h -> null)).isNull();
    }

    @Test
    void nonStreamResponseWithTextAndToolUse() {
        byte[] out = new AnthropicMessagesCodec(json).response(golden("response-tool-use.canonical.json"));
        assertThat(json.readTree(out)).isEqualTo(json.readTree(golden("response-tool-use.json")));
    }

    @Test
    void streamOfTextAndTwoToolCallsBecomesAnthropicEventsInOrder() {
        AnthropicMessagesCodec codec = new AnthropicMessagesCodec(json);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (SseEvent event : new SseDecoder().feed(golden("stream-tool-use.canonical.txt"))) {
            byte[] piece = ("data: " + event.data() + "\n\n").getBytes(StandardCharsets.UTF_8);
            out.writeBytes(codec.streamChunk(new Translated(piece, null, event.isDone(), null)));
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(new String(golden("stream-tool-use.txt"), StandardCharsets.UTF_8));
        // the tool_use input pieces concatenate to valid JSON
        List<SseEvent> events = new SseDecoder().feed(out.toByteArray());
        StringBuilder input = new StringBuilder();
        events.stream().filter(e -> e.data().contains("\"index\":1,\"delta\":{\"type\":\"input_json_delta\""))
                .forEach(e -> input.append(json.readTree(e.data()).path("delta").path("partial_json").asString()));
        assertThat(json.readTree(input.toString()).path("location").asString()).isEqualTo("Paris");
    }

    @Test
    void aStreamThatEndsWithoutDoneStillClosesWhenTheTranslatorSaysDone() {
        AnthropicMessagesCodec codec = new AnthropicMessagesCodec(json);
        String chunk = "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"length\"}]}\n\n";
        String first = new String(codec.streamChunk(Translated.of(chunk.getBytes())), StandardCharsets.UTF_8);
        assertThat(first).startsWith("event: message_start\n").contains("event: ping\n")
                .contains("\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}");
        String last = new String(codec.streamChunk(new Translated(new byte[0], null, true, null)), StandardCharsets.UTF_8);
        assertThat(last).isEqualTo("""
                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}

                event: message_stop
                data: {"type":"message_stop"}

                """);
    }

    @Test
    void errorsUseAnthropicErrorTypesByStatus() {
        AnthropicMessagesCodec codec = new AnthropicMessagesCodec(json);
        assertThat(new String(codec.error(GatewayError.of(404, "invalid_request_error", "model_not_found", "no such model", "model"))))
                .isEqualTo("{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"no such model\"}}");
        assertThat(AnthropicMessagesCodec.errorType(400)).isEqualTo("invalid_request_error");
        assertThat(AnthropicMessagesCodec.errorType(401)).isEqualTo("authentication_error");
        assertThat(AnthropicMessagesCodec.errorType(403)).isEqualTo("permission_error");
        assertThat(AnthropicMessagesCodec.errorType(413)).isEqualTo("request_too_large");
        assertThat(AnthropicMessagesCodec.errorType(429)).isEqualTo("rate_limit_error");
        assertThat(AnthropicMessagesCodec.errorType(502)).isEqualTo("api_error");
        assertThat(AnthropicMessagesCodec.errorType(503)).isEqualTo("overloaded_error");
        assertThat(AnthropicMessagesCodec.errorType(504)).isEqualTo("api_error");
        assertThat(new String(codec.streamError(GatewayError.of(502, "server_error", "upstream_error", "sim failed", null))))
                .isEqualTo("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"sim failed\"}}\n\n");
    }
}
