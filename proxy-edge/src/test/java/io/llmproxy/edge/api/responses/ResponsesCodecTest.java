package io.llmproxy.edge.api.responses;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Golden fixtures under {@code golden/client-responses/}, shaped as in OpenAI's API reference:
 * https://platform.openai.com/docs/api-reference/responses/create (request),
 * https://platform.openai.com/docs/api-reference/responses/object (response) and
 * https://platform.openai.com/docs/api-reference/responses-streaming (stream events). Ids are
 * {@code <prefix>golden<n>} and {@code created_at} 1764417600 (fixed clock). Re-record after a
 * deliberate change with {@code -Dgolden.record=true} and review the diff.
 */
class ResponsesCodecTest {

    static final String REQUEST = "{\"model\":\"gpt-4.1\",\"input\":\"What is the weather in San Francisco?\","
            + "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"description\":\"Get current temperature.\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}},\"required\":[\"location\"]},"
            + "\"strict\":true}],\"metadata\":{\"session\":\"s-42\"}";

    final JsonMapper json = JsonMapper.builder().build();

    static byte[] golden(String name) {
        try (InputStream in = ResponsesCodecTest.class.getResourceAsStream("/golden/client-responses/" + name)) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new AssertionError("missing fixture " + name, e);
        }
    }

    /** Compares with a fixture, or writes it under src/test/resources with {@code -Dgolden.record=true}. */
    static void assertGolden(String name, String actual) {
        Path source = Path.of("src/test/resources/golden/client-responses", name);
        if (Boolean.getBoolean("golden.record") || !Files.exists(source)) {
            try {
                Files.writeString(source, actual);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            throw new AssertionError("recorded " + source + ": review it and run again");
        }
        assertThat(actual).isEqualTo(new String(golden(name), StandardCharsets.UTF_8));
    }

    ResponsesCodec codec() {
        AtomicInteger n = new AtomicInteger();
        return new ResponsesCodec(json, Clock.fixed(Instant.ofEpochSecond(1764417600), ZoneOffset.UTC),
                prefix -> prefix + "golden" + n.incrementAndGet());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void requestWithInstructionsImageToolHistoryBecomesTheCanonicalRequest(boolean stream) {
        ObjectNode request = (ObjectNode) json.readTree(golden("request-tools.json"));
        request.put("stream", stream);
        ResponsesCodec codec = codec();
        CanonicalRequest canonical = codec.canonical(json.writeValueAsBytes(request));

        ObjectNode expected = (ObjectNode) json.readTree(golden("request-tools.canonical.json"));
        if (stream) {
            expected.put("stream", true);
            expected.putObject("stream_options").put("include_usage", true);
        }
        assertThat(json.readTree(canonical.body().toString())).isEqualTo(expected);
        assertThat(canonical.model()).isEqualTo("gpt-4.1");
        assertThat(canonical.stream()).isEqualTo(stream);
        assertThat(canonical.clientWantsUsage()).isTrue();
        assertThat(codec.store()).isTrue();
        assertThat(codec.previousResponseId()).isNull();
    }

    @ParameterizedTest
    @CsvSource({
        "'{\"model\":\"m\",\"input\":\"x\"}'",
        "'{\"model\":\"m\",\"input\":\"x\",\"store\":false}'",
        "'{\"model\":\"m\",\"input\":\"x\",\"temperature\":0.2,\"top_p\":0.5,\"parallel_tool_calls\":false}'",
        "'{\"model\":\"m\",\"input\":\"x\",\"previous_response_id\":\"resp_1\",\"tool_choice\":\"none\"}'",
        "'{\"model\":\"m\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"json_object\"}}}'",
    })
    void theEchoOfRequestsThatSetNothingIsWrittenOnceYetReadsTheSameAsFieldByField(String request) {
        ResponseEcho echo = ResponsesRequest.decode(json, request.getBytes(StandardCharsets.UTF_8)).echo();
        ByteArrayOutputStream fast = new ByteArrayOutputStream();
        ByteArrayOutputStream slow = new ByteArrayOutputStream();
        try (var g = json.createGenerator(fast)) {
            g.writeStartObject();
            g.writeStringProperty("before", "x");
            echo.writeAfterOutput(g);
            g.writeStringProperty("after", "y");
            g.writeEndObject();
        }
        try (var g = json.createGenerator(slow)) {
            g.writeStartObject();
            g.writeStringProperty("before", "x");
            echo.writeAfterOutputFields(g);
            g.writeStringProperty("after", "y");
            g.writeEndObject();
        }
        assertThat(fast.toString(StandardCharsets.UTF_8)).isEqualTo(slow.toString(StandardCharsets.UTF_8));
        JsonNode parsed = json.readTree(fast.toByteArray());
        assertThat(parsed.get("after").asString()).isEqualTo("y");
        assertThat(parsed.get("truncation").asString()).isEqualTo("disabled");
        assertThat(parsed.get("store").asBoolean()).isEqualTo(!request.contains("\"store\":false"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"resp_", "msg_", "fc_"})
    void idsArePrefixAnd32LowerCaseHexDigitsFromFreshRandomBits(String prefix) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        java.util.Set<Character> digits = new java.util.TreeSet<>();
        for (int i = 0; i < 2000; i++) {
            String id = ResponsesCodec.randomId(prefix);
            assertThat(id).matches(java.util.regex.Pattern.quote(prefix) + "[0-9a-f]{32}");
            ids.add(id);
            id.substring(prefix.length()).chars().forEach(c -> digits.add((char) c));
        }
        assertThat(ids).hasSize(2000);
        assertThat(digits).hasSize(16);
    }

    @Test
    void aStringInputIsOneUserMessageAndStoredHistoryGoesAfterTheInstructions() {
        ResponsesCodec codec = codec();
        CanonicalRequest canonical = codec.canonical(("{\"model\":\"m\",\"instructions\":\"Be brief.\",\"input\":\"Third?\","
                + "\"previous_response_id\":\"resp_0123456789abcdef0123456789abcdef\",\"store\":false}").getBytes());
        assertThat(codec.previousResponseId()).isEqualTo("resp_0123456789abcdef0123456789abcdef");
        assertThat(codec.store()).isFalse();
        ArrayNode history = (ArrayNode) json.readTree("[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
                + "\"text\":\"First\"}]},{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\","
                + "\"content\":[{\"type\":\"output_text\",\"text\":\"One\",\"annotations\":[]}]}]");
        codec.history(history);
        assertThat(canonical.body().get("messages").toString()).isEqualTo("[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"First\"},{\"role\":\"assistant\",\"content\":\"One\"},"
                + "{\"role\":\"user\",\"content\":\"Third?\"}]");
        codec.response(golden("response-tool-use.canonical.json"));
        // the conversation to store: history, this input, this output
        ArrayNode conversation = codec.conversation();
        assertThat(conversation).hasSize(5);
        assertThat(conversation.get(2).get("content").get(0).get("text").asString()).isEqualTo("Third?");
        assertThat(conversation.get(3).get("type").asString()).isEqualTo("message");
        assertThat(conversation.get(4).get("type").asString()).isEqualTo("function_call");
    }

    @Test
    void toolChoicesAndTextFormatsMapToChatOnes() {
        String base = "{\"model\":\"m\",\"input\":\"hi\",";
        assertThat(canonical(base + "\"tool_choice\":\"required\"}").get("tool_choice").asString()).isEqualTo("required");
        assertThat(canonical(base + "\"tool_choice\":{\"type\":\"function\",\"name\":\"get_weather\"}}").get("tool_choice").toString())
                .isEqualTo("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}");
        assertThat(canonical(base + "\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"w\",\"schema\":{\"type\":\"object\"},"
                + "\"strict\":true}}}").get("response_format").toString())
                .isEqualTo("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"w\",\"schema\":{\"type\":\"object\"},\"strict\":true}}");
        assertThat(canonical(base + "\"text\":{\"format\":{\"type\":\"json_object\"}}}").get("response_format").toString())
                .isEqualTo("{\"type\":\"json_object\"}");
        assertThat(canonical(base + "\"text\":{\"format\":{\"type\":\"text\"}},\"reasoning\":null,\"include\":[],"
                + "\"truncation\":\"disabled\",\"background\":false}").has("response_format")).isFalse();
    }

    JsonNode canonical(String body) {
        return codec().canonical(body.getBytes(StandardCharsets.UTF_8)).body();
    }

    /** Fields and values this gateway cannot honour: 400 naming the field, before any upstream call. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "\"tools\":[{\"type\":\"web_search_preview\"}]|tools",
            "\"tools\":[{\"type\":\"file_search\",\"vector_store_ids\":[\"vs_1\"]}]|tools",
            "\"tools\":[{\"type\":\"code_interpreter\",\"container\":{\"type\":\"auto\"}}]|tools",
            "\"tools\":[{\"type\":\"mcp\",\"server_label\":\"x\",\"server_url\":\"https://x\"}]|tools",
            "\"tools\":[{\"type\":\"image_generation\"}]|tools",
            "\"tools\":[{\"type\":\"computer_use_preview\",\"display_width\":1,\"display_height\":1,\"environment\":\"browser\"}]|tools",
            "\"tool_choice\":{\"type\":\"web_search_preview\"}|tool_choice",
            "\"background\":true|background",
            "\"conversation\":\"conv_123\"|conversation",
            "\"prompt\":{\"id\":\"pmpt_123\",\"version\":\"2\"}|prompt",
            "\"reasoning\":{\"effort\":\"high\"}|reasoning",
            "\"include\":[\"file_search_call.results\"]|include",
            "\"truncation\":\"auto\"|truncation",
            "\"top_logprobs\":5|top_logprobs",
            "\"max_tool_calls\":3|max_tool_calls",
            "\"max_output_tokens\":0|max_output_tokens",
            "\"stream\":\"yes\"|stream",
            "\"text\":{\"format\":{\"type\":\"grammar\"}}|text.format",
            "\"temperature\":\"hot\"|temperature",
            "\"previous_response_id\":7|previous_response_id"})
    void unsupportedFieldsAreRefusedNamingTheField(String field, String param) {
        assertThatThrownBy(() -> canonical("{\"model\":\"m\",\"input\":\"hi\"," + field + "}"))
                .isInstanceOfSatisfying(ClientRequestException.class, e -> assertThat(e.param()).isEqualTo(param));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"input\":\"hi\"}|model|Missing required parameter: 'model'.",
            "{\"model\":\"m\"}|input|Missing required parameter: 'input'.",
            "{\"model\":\"m\",\"input\":[]}|input|Invalid 'input': expected a string or a non-empty array of input items.",
            "{\"model\":\"m\",\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]}|input|Input item type 'item_reference' is not supported by this gateway.",
            "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"file-1\"}]}]}|input|Content part type 'input_file' is not supported by this gateway.",
            "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"file_id\":\"file-1\"}]}]}|input|input_image by file_id is not supported by this gateway: give an image_url (https or data URL).",
            "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"image_url\":\"file:///etc/passwd\"}]}]}|input|Invalid 'image_url': expected an http(s) or data URL.",
            "{\"model\":\"m\",\"input\":[{\"role\":\"tool\",\"content\":\"x\"}]}|input|Invalid 'input[].role': expected user, assistant, system or developer.",
            "{\"model\":\"m\",\"input\":[{\"type\":\"function_call_output\",\"output\":\"x\"}]}|input|Missing required parameter: 'input[].call_id'."})
    void malformedRequestsAre400InOpenAiWords(String body, String param, String message) {
        assertThatThrownBy(() -> canonical(body)).isInstanceOfSatisfying(ClientRequestException.class, e -> {
            assertThat(e.param()).isEqualTo(param);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void nonStreamResponseWithTextAndFunctionCall() {
        ResponsesCodec codec = codec();
        codec.canonical((REQUEST + "}").getBytes());
        byte[] out = codec.response(golden("response-tool-use.canonical.json"));
        assertGolden("response-tool-use.json", json.writerWithDefaultPrettyPrinter().writeValueAsString(json.readTree(out)) + "\n");
        assertThat(codec.storedResponse().get("id").asString()).isEqualTo(codec.responseId()).isEqualTo("resp_golden1");
    }

    @Test
    void aLengthStopIsIncompleteWithItsReason() {
        ResponsesCodec codec = codec();
        codec.canonical("{\"model\":\"m\",\"input\":\"hi\",\"max_output_tokens\":5}".getBytes());
        JsonNode out = json.readTree(codec.response(("{\"id\":\"c\",\"model\":\"sim\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                + "\"assistant\",\"content\":\"Hel\"},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":3,"
                + "\"completion_tokens\":5,\"total_tokens\":8}}").getBytes()));
        assertThat(out.get("status").asString()).isEqualTo("incomplete");
        assertThat(out.get("incomplete_details").get("reason").asString()).isEqualTo("max_output_tokens");
        assertThat(out.get("max_output_tokens").asInt()).isEqualTo(5);
        assertThat(out.get("usage").toString()).isEqualTo("{\"input_tokens\":3,\"input_tokens_details\":{\"cached_tokens\":0},"
                + "\"output_tokens\":5,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":8}");
    }

    /** The canonical stream fed to the codec in two pieces split at every byte: always the same client stream. */
    @Test
    void streamOfTextAndTwoFunctionCallsSplitAtEveryByteGivesTheGoldenEvents() {
        byte[] canonical = golden("stream-tool-use.canonical.txt");
        String expected = run(canonical, List.of(canonical.length));
        assertGolden("stream-tool-use.txt", expected);
        for (int split = 1; split < canonical.length; split++) {
            assertThat(run(canonical, List.of(split, canonical.length))).as("split at %d", split).isEqualTo(expected);
        }
        // the client's SSE decoder reads the same events whatever the chunking
        byte[] out = expected.getBytes(StandardCharsets.UTF_8);
        List<SseEvent> whole = new SseDecoder().feed(out);
        for (int split = 1; split < out.length; split += 7) {
            SseDecoder decoder = new SseDecoder();
            List<SseEvent> events = new ArrayList<>(decoder.feed(Arrays.copyOfRange(out, 0, split)));
            events.addAll(decoder.feed(Arrays.copyOfRange(out, split, out.length)));
            assertThat(events).as("client split at %d", split).isEqualTo(whole);
        }
        // event order, sequence numbers, whole function calls
        List<String> types = whole.stream().map(SseEvent::event).toList();
        assertThat(types).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
                "response.content_part.done", "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done",
                "response.completed");
        for (int i = 0; i < whole.size(); i++) {
            JsonNode data = json.readTree(whole.get(i).data());
            assertThat(data.get("type").asString()).isEqualTo(whole.get(i).event());
            assertThat(data.get("sequence_number").asInt()).isEqualTo(i);
        }
        JsonNode completed = json.readTree(whole.getLast().data()).get("response");
        assertThat(completed.get("output").get(1).get("arguments").asString()).isEqualTo("{\"location\":\"Paris\"}");
        assertThat(completed.get("usage").get("total_tokens").asInt()).isEqualTo(39);
    }

    String run(byte[] canonical, List<Integer> cuts) {
        ResponsesCodec codec = codec();
        codec.canonical((REQUEST + ",\"stream\":true}").getBytes());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        for (int cut : cuts) {
            out.writeBytes(codec.streamChunk(Translated.of(Arrays.copyOfRange(canonical, from, cut))));
            from = cut;
        }
        out.writeBytes(codec.streamChunk(new Translated(new byte[0], null, true, null)));
        assertThat(codec.storedResponse()).isNotNull();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aFailureMidStreamEndsWithResponseFailedNeverCompleted() {
        ResponsesCodec codec = codec();
        codec.canonical("{\"model\":\"m\",\"input\":\"hi\",\"stream\":true}".getBytes());
        String chunk = "data: {\"id\":\"c1\",\"model\":\"sim\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n";
        String first = new String(codec.streamChunk(Translated.of(chunk.getBytes())), StandardCharsets.UTF_8);
        assertThat(first).startsWith("event: response.created\n").contains("event: response.output_text.delta\n");
        String last = new String(codec.streamError(GatewayError.of(502, "server_error", "upstream_error", "sim failed", null)),
                StandardCharsets.UTF_8);
        assertThat(last).startsWith("event: response.failed\n").doesNotContain("response.completed");
        JsonNode failed = json.readTree(new SseDecoder().feed(last.getBytes()).getFirst().data());
        assertThat(failed.get("sequence_number").asInt()).isEqualTo(5);
        assertThat(failed.get("response").get("status").asString()).isEqualTo("failed");
        assertThat(failed.get("response").get("error").toString()).isEqualTo("{\"code\":\"upstream_error\",\"message\":\"sim failed\"}");
        assertThat(codec.storedResponse()).isNull();
    }

    @Test
    void errorsAreOpenAiErrorJson() {
        assertThat(new String(codec().error(GatewayError.badRequest("'background' is not supported by this gateway.", "background"))))
                .isEqualTo("{\"error\":{\"message\":\"'background' is not supported by this gateway.\","
                        + "\"type\":\"invalid_request_error\",\"param\":\"background\",\"code\":\"invalid_background\"}}");
    }
}
