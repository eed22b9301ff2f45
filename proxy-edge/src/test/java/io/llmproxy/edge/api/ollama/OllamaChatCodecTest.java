package io.llmproxy.edge.api.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmproxy.edge.api.ollama.OllamaChatCodec.Api;
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
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Golden fixtures under {@code golden/client-ollama/}, written from
 * https://github.com/ollama/ollama/blob/main/docs/api.md ("Generate a chat completion", "Generate a
 * completion", "Chat request (with tools)", "Chat request (with images)").
 */
class OllamaChatCodecTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC);
    static final List<String> DURATIONS = List.of("total_duration", "load_duration", "prompt_eval_duration", "eval_duration");

    final JsonMapper json = JsonMapper.builder().build();

    static byte[] golden(String name) {
        try (InputStream in = OllamaChatCodecTest.class.getResourceAsStream("/golden/client-ollama/" + name)) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new AssertionError("missing fixture " + name, e);
        }
    }

    OllamaChatCodec codec(Api api) {
        return new OllamaChatCodec(json, api, CLOCK);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void chatRequestWithImagesToolCallsToolResultAndOptions(boolean stream) {
        ObjectNode request = (ObjectNode) json.readTree(golden("chat-request.json"));
        request.put("stream", stream);
        CanonicalRequest canonical = codec(Api.CHAT).canonical(json.writeValueAsBytes(request));
        ObjectNode expected = (ObjectNode) json.readTree(golden("chat-request.canonical.json"));
        if (stream) {
            expected.put("stream", true);
            expected.putObject("stream_options").put("include_usage", true);
        }
        assertThat(json.readTree(canonical.body().toString())).isEqualTo(expected);
        assertThat(canonical.stream()).isEqualTo(stream);
        assertThat(canonical.model()).isEqualTo("llama3.2");
    }

    @Test
    void generateRequestStreamsByDefaultAndBecomesSystemPlusUserMessages() {
        CanonicalRequest canonical = codec(Api.GENERATE).canonical(golden("generate-request.json"));
        assertThat(json.readTree(canonical.body().toString())).isEqualTo(json.readTree(golden("generate-request.canonical.json")));
        assertThat(canonical.stream()).isTrue();
    }

    @Test
    void badBodiesAre400WithOllamaMessages() {
        assertThatThrownBy(() -> codec(Api.CHAT).canonical("{\"messages\":[]}".getBytes()))
                .isInstanceOf(ClientRequestException.class).hasMessage("model is required");
        assertThatThrownBy(() -> codec(Api.CHAT).canonical("{\"model\":\"m\"}".getBytes()))
                .isInstanceOf(ClientRequestException.class).hasMessage("messages is required");
        assertThatThrownBy(() -> codec(Api.GENERATE).canonical("{\"model\":\"m\"}".getBytes()))
                .isInstanceOf(ClientRequestException.class).hasMessage("prompt is required");
        assertThatThrownBy(() -> codec(Api.CHAT).canonical("{\"model\":\"m\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}".getBytes()))
                .isInstanceOf(ClientRequestException.class).hasMessage("invalid role 'robot': must be system, user, assistant or tool");
    }

    @Test
    void nonStreamChatResponseWithToolCalls() {
        OllamaChatCodec codec = codec(Api.CHAT);
        codec.canonical("{\"model\":\"llama3.2\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}".getBytes());
        JsonNode out = normalized(json.readTree(codec.response(golden("chat-response-tool-use.canonical.json"))));
        assertThat(out).isEqualTo(json.readTree(golden("chat-response-tool-use.json")));
    }

    @Test
    void nonStreamGenerateResponse() {
        OllamaChatCodec codec = codec(Api.GENERATE);
        codec.canonical("{\"model\":\"llama3.2\",\"stream\":false,\"prompt\":\"hi\"}".getBytes());
        JsonNode out = normalized(json.readTree(codec.response(golden("chat-response-tool-use.canonical.json"))));
        assertThat(out.toString()).isEqualTo("{\"model\":\"llama3.2\",\"created_at\":\"2026-11-29T12:00:00Z\","
                + "\"response\":\"I'll check the weather.\",\"done\":true,\"done_reason\":\"stop\",\"total_duration\":0,"
                + "\"load_duration\":0,\"prompt_eval_count\":472,\"prompt_eval_duration\":0,\"eval_count\":89,\"eval_duration\":0}");
    }

    @Test
    void chatStreamSendsContentLinesThenCompleteToolCallsThenTheDoneLine() {
        assertThat(stream(Api.CHAT)).isEqualTo(lines("chat-stream-tool-use.ndjson"));
    }

    @Test
    void generateStreamSendsResponseLines() {
        assertThat(stream(Api.GENERATE)).isEqualTo(lines("generate-stream.ndjson"));
    }

    List<JsonNode> stream(Api api) {
        OllamaChatCodec codec = codec(api);
        codec.canonical(api == Api.CHAT ? "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}".getBytes()
                : "{\"model\":\"llama3.2\",\"prompt\":\"hi\"}".getBytes());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (SseEvent event : new SseDecoder().feed(golden("stream-tool-use.canonical.txt"))) {
            byte[] piece = ("data: " + event.data() + "\n\n").getBytes(StandardCharsets.UTF_8);
            out.writeBytes(codec.streamChunk(new Translated(piece, null, event.isDone(), null)));
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(normalized(json.readTree(line)));
        }
        return lines;
    }

    List<JsonNode> lines(String fixture) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : new String(golden(fixture), StandardCharsets.UTF_8).split("\n")) {
            lines.add(json.readTree(line));
        }
        return lines;
    }

    /** Durations are measured: each must be ≥ 0, total ≥ the others; then they are set to 0 for comparison. */
    static JsonNode normalized(JsonNode line) {
        if (line.has("total_duration")) {
            long total = line.get("total_duration").asLong();
            for (String d : DURATIONS) {
                assertThat(line.get(d).asLong()).as(d).isBetween(0L, total);
                ((ObjectNode) line).put(d, 0);
            }
        }
        return line;
    }

    @Test
    void errorsAreOllamaErrorObjects() {
        OllamaChatCodec codec = codec(Api.CHAT);
        codec.canonical("{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}".getBytes());
        assertThat(new String(codec.error(GatewayError.of(404, "invalid_request_error", "model_not_found", "x", "model"))))
                .isEqualTo("{\"error\":\"model 'nope' not found\"}");
        assertThat(new String(codec.streamError(GatewayError.of(502, "server_error", "upstream_error", "sim failed", null))))
                .isEqualTo("{\"error\":\"sim failed\"}\n");
        assertThat(OllamaRequest.mediaType("iVBORw0KGgo")).isEqualTo("image/png");
        assertThat(OllamaRequest.mediaType("R0lGODlh")).isEqualTo("image/gif");
        assertThat(OllamaRequest.mediaType("UklGRh4AAABXRUJQ")).isEqualTo("image/webp");
    }
}
