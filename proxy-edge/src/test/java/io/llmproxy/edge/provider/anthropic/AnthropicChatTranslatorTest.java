package io.llmproxy.edge.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmproxy.edge.provider.GoldenCase;
import io.llmproxy.edge.provider.TokenUsage;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UnsupportedRequestException;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.stream.SseEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Canonical ⇄ Anthropic Messages, against golden fixtures from Anthropic's documentation. */
class AnthropicChatTranslatorTest {

    static AnthropicChatTranslator translator(boolean stream) {
        return new AnthropicChatTranslator(GoldenCase.JSON, stream, true, 4096, () -> 1_700_000_000L);
    }

    static ObjectNode body(String json) {
        return (ObjectNode) GoldenCase.JSON.readTree(json);
    }

    static final GoldenCase TEXT = new GoldenCase("anthropic", "anthropic/text");

    @ParameterizedTest(name = "{0}, stream={1}")
    @CsvSource({"anthropic/text,false", "anthropic/text,true", "anthropic/tools,false", "anthropic/tools,true"})
    void goldenCase(String dir, boolean stream) {
        GoldenCase golden = new GoldenCase("anthropic", dir);
        AnthropicChatTranslator translator = translator(stream);
        UpstreamRequest request = golden.assertRequest(
                translator.request(golden.request(stream), golden.provider(), golden.providerModel()), stream);
        assertThat(request.headers()).containsEntry("x-api-key", GoldenCase.SECRET)
                .containsEntry("anthropic-version", "2023-06-01").doesNotContainKey("Authorization");
        if (stream) {
            golden.assertStream(translator);
        } else {
            golden.assertChatResponse(translator);
        }
    }

    @Test
    void streamedToolCallArgumentsConcatenateToValidJsonPerIndex() {
        GoldenCase golden = new GoldenCase("anthropic", "anthropic/tools");
        AnthropicChatTranslator translator = translator(true);
        translator.request(golden.request(true), golden.provider(), golden.providerModel());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (SseEvent event : new io.llmproxy.edge.stream.SseDecoder().feed(golden.text("stream.txt").getBytes(StandardCharsets.UTF_8))) {
            out.writeBytes(translator.streamEvent(event).bytes());
        }
        List<String> arguments = GoldenCase.toolArguments(out.toByteArray());
        assertThat(arguments).hasSize(2);
        assertThat(GoldenCase.JSON.readTree(arguments.get(0)).get("location").asString()).isEqualTo("San Francisco, CA");
        assertThat(GoldenCase.JSON.readTree(arguments.get(1)).isObject()).isTrue();
    }

    @Test
    void maxTokensComesFromTheRequestElseTheConfiguredDefault() {
        AnthropicChatTranslator t = translator(false);
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        assertThat(sent(t.request(body("{" + messages + ",\"max_tokens\":77}"), TEXT.provider(), "m")).get("max_tokens").asLong())
                .isEqualTo(77);
        assertThat(sent(t.request(body("{" + messages + "}"), TEXT.provider(), "m")).get("max_tokens").asLong()).isEqualTo(4096);
    }

    @Test
    void requestsAnthropicCannotTakeAreRefusedBeforeAnyCall() {
        AnthropicChatTranslator t = translator(false);
        String user = "{\"role\":\"user\",\"content\":\"hi\"}";
        assertThatThrownBy(() -> t.request(body("{\"n\":2,\"messages\":[" + user + "]}"), TEXT.provider(), "m"))
                .isInstanceOf(UnsupportedRequestException.class).extracting("param").isEqualTo("n");
        assertThatThrownBy(() -> t.request(body("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\","
                + "\"input_audio\":{\"data\":\"x\",\"format\":\"wav\"}}]}]}"), TEXT.provider(), "m"))
                .isInstanceOf(UnsupportedRequestException.class).hasMessageContaining("input_audio");
        assertThatThrownBy(() -> t.request(body("{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"1\","
                + "\"function\":{\"name\":\"f\",\"arguments\":\"not json\"}}]}]}"), TEXT.provider(), "m"))
                .isInstanceOf(UnsupportedRequestException.class).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> t.request(body("{\"response_format\":{\"type\":\"json_schema\"},\"messages\":[" + user + "]}"),
                TEXT.provider(), "m")).isInstanceOf(UnsupportedRequestException.class).extracting("param")
                .isEqualTo("response_format");
        assertThatThrownBy(() -> t.request(body("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"ftp://x/y.png\"}}]}]}"), TEXT.provider(), "m"))
                .isInstanceOf(UnsupportedRequestException.class);
    }

    @Test
    void toolChoiceVariantsMapToAnthropicsObjects() {
        String base = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]";
        assertThat(sent(translator(false).request(body(base + ",\"tool_choice\":\"auto\"}"), TEXT.provider(), "m")).get("tool_choice"))
                .isEqualTo(body("{\"type\":\"auto\"}"));
        assertThat(sent(translator(false).request(body(base + ",\"tool_choice\":\"none\"}"), TEXT.provider(), "m")).get("tool_choice"))
                .isEqualTo(body("{\"type\":\"none\"}"));
        assertThat(sent(translator(false).request(body(base + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"f\"}}}"),
                TEXT.provider(), "m")).get("tool_choice")).isEqualTo(body("{\"type\":\"tool\",\"name\":\"f\"}"));
        JsonNode noParams = sent(translator(false).request(body(base + "}"), TEXT.provider(), "m"));
        assertThat(noParams.get("tools").get(0)).isEqualTo(body("{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}"));
        assertThat(noParams.has("tool_choice")).isFalse();
    }

    @ParameterizedTest(name = "HTTP {0} → {1} {2}")
    @CsvSource({
            "400, 400, upstream_rejected, invalid_request_error",
            "401, 502, upstream_auth_failed, authentication_error",
            "403, 502, upstream_auth_failed, permission_error",
            "404, 404, upstream_rejected, not_found_error",
            "413, 413, upstream_rejected, request_too_large",
            "429, 429, rate_limit_exceeded, rate_limit_error",
            "500, 502, upstream_error, api_error",
            "529, 503, upstream_unavailable, overloaded_error"})
    void errorsMapToCanonicalFailuresNamingTheProviderNotItsKey(int status, int clientStatus, String code, String anthropicType) {
        AnthropicChatTranslator t = translator(false);
        t.request(body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), TEXT.provider(), "m");
        byte[] error = ("{\"type\":\"error\",\"error\":{\"type\":\"" + anthropicType + "\",\"message\":\"detail " + status + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        UpstreamFailure failure = t.error(status, error, status == 429 || status == 529 ? "7" : null);
        assertThat(failure.status()).isEqualTo(clientStatus);
        assertThat(failure.code()).isEqualTo(code);
        assertThat(failure.message()).startsWith("golden-anthropic ").doesNotContain(GoldenCase.SECRET);
        assertThat(failure.retryAfter()).isEqualTo(status == 429 || status == 529 ? "7" : null);
        if (status != 401 && status != 403) {
            assertThat(failure.message()).endsWith("detail " + status);
        }
    }

    @Test
    void errorEventMidStreamFailsWithOverloadedAsUnavailable() {
        AnthropicChatTranslator t = translator(true);
        t.request(TEXT.request(true), TEXT.provider(), "m");
        t.streamEvent(SseEvent.of("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"c\","
                + "\"usage\":{\"input_tokens\":12,\"cache_read_input_tokens\":3,\"output_tokens\":1}}}"));
        t.streamEvent(SseEvent.of("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}"));
        t.streamEvent(SseEvent.of("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"b\"}}"));
        assertThat(t.streamEvent(SseEvent.of("ping", "{\"type\":\"ping\"}")).bytes()).isEmpty();
        Translated error = t.streamEvent(SseEvent.of("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
        assertThat(error.error().status()).isEqualTo(503);
        assertThat(error.error().code()).isEqualTo("upstream_unavailable");
        assertThat(error.error().message()).isEqualTo("golden-anthropic failed mid-stream: Overloaded");
        // tokens seen so far: the prompt from message_start, two text deltas
        assertThat(t.usageSoFar()).isEqualTo(new TokenUsage(15, 2, 3));
        assertThat(t.usageReported()).isTrue();
    }

    @Test
    void messagesUrlAcceptsTheBaseUrlWithOrWithoutV1() {
        assertThat(AnthropicChatTranslator.messagesUrl("https://api.anthropic.com")).isEqualTo("https://api.anthropic.com/v1/messages");
        assertThat(AnthropicChatTranslator.messagesUrl("https://api.anthropic.com/")).isEqualTo("https://api.anthropic.com/v1/messages");
        assertThat(AnthropicChatTranslator.messagesUrl("http://127.0.0.1:5100/v1/")).isEqualTo("http://127.0.0.1:5100/v1/messages");
    }

    @Test
    void stopReasonsMapToFinishReasons() {
        assertThat(AnthropicChatTranslator.finishReason("end_turn")).isEqualTo("stop");
        assertThat(AnthropicChatTranslator.finishReason("stop_sequence")).isEqualTo("stop");
        assertThat(AnthropicChatTranslator.finishReason("max_tokens")).isEqualTo("length");
        assertThat(AnthropicChatTranslator.finishReason("tool_use")).isEqualTo("tool_calls");
        assertThat(AnthropicChatTranslator.finishReason("refusal")).isEqualTo("content_filter");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"anthropic/text", "anthropic/tools"})
    void theStreamSplitAtEveryByteTranslatesToTheSameClientBytes(String dir) {
        GoldenCase golden = new GoldenCase("anthropic", dir);
        byte[] upstream = golden.text("stream.txt").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] expected = translate(golden, upstream, upstream.length);
        assertThat(new String(expected, StandardCharsets.UTF_8)).endsWith("data: [DONE]\n\n");
        for (int split = 1; split < upstream.length; split++) {
            assertThat(translate(golden, upstream, split)).as("split at " + split).isEqualTo(expected);
        }
    }

    /** Feeds {@code upstream} in two reads split at {@code split} through a fresh decoder and translator. */
    private static byte[] translate(GoldenCase golden, byte[] upstream, int split) {
        AnthropicChatTranslator t = translator(true);
        t.request(golden.request(true), golden.provider(), golden.providerModel());
        io.llmproxy.edge.stream.SseDecoder decoder = new io.llmproxy.edge.stream.SseDecoder();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] read : new byte[][] {java.util.Arrays.copyOfRange(upstream, 0, split),
                java.util.Arrays.copyOfRange(upstream, split, upstream.length)}) {
            for (SseEvent event : decoder.feed(read)) {
                out.writeBytes(t.streamEvent(event).bytes());
            }
        }
        return out.toByteArray();
    }

    private static JsonNode sent(UpstreamRequest request) {
        return GoldenCase.JSON.readTree(request.body());
    }
}
