package io.llmproxy.edge.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmproxy.edge.config.EdgeJson;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The streaming read of OpenAI chat bodies and chunks ({@link OpenAiChunkScan}) against a tree read of the
 * same text, the way the translator read them before issue #16: for every variant of the table, both
 * refuse it or both find the same error, usage, choices and content deltas. A few rows also pin the values.
 */
class OpenAiChunkScanTest {

    private static final JsonMapper JSON = EdgeJson.builder().build();

    /** What a tree read found (the translator's reading before the scan). */
    record Found(boolean object, boolean error, String errorMessage, TokenUsage usage, boolean choices, int contentDeltas) {

        static Found of(OpenAiChunkScan scan) {
            return new Found(scan.object, scan.error, scan.errorMessage, scan.usage, scan.choices, scan.contentDeltas);
        }

        static Found tree(String text) {
            JsonNode node = JSON.readTree(text);
            boolean object = node != null && node.isObject();
            boolean error = node != null && node.has("error");
            JsonNode message = error ? node.get("error").get("message") : null;
            JsonNode usage = node == null ? null : node.get("usage");
            TokenUsage tokens = usage == null || !usage.isObject() ? null
                    : new TokenUsage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0),
                            usage.path("prompt_tokens_details").path("cached_tokens").asLong(0));
            JsonNode choices = node == null ? null : node.get("choices");
            boolean any = choices != null && !choices.isEmpty();
            int deltas = 0;
            if (any) {
                for (JsonNode choice : choices) {
                    JsonNode content = choice.path("delta").get("content");
                    if (content != null && content.isString() && !content.asString().isEmpty()) {
                        deltas++;
                    }
                }
            }
            return new Found(object, error, message != null && message.isString() ? message.asString() : null, tokens,
                    any, deltas);
        }
    }

    static Stream<String> variants() {
        return Stream.of(
                // OpenAI's chunks: role, content, finish, usage (https://platform.openai.com/docs/api-reference/chat-streaming)
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}",
                "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"logprobs\":null,\"finish_reason\":null}]}",
                "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
                "{\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":34,\"total_tokens\":46,\"prompt_tokens_details\":{\"cached_tokens\":5,\"audio_tokens\":0}}}",
                // Mistral's last chunk: usage next to choices; Azure's prompt_filter_results chunk
                "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}",
                "{\"choices\":[],\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{\"hate\":{\"filtered\":false}}}]}",
                // several choices (n > 1), tool-call deltas, content that is not a string
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}},{\"delta\":{\"content\":\"b\"}},{\"delta\":{\"content\":\"\"}}]}",
                "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\":1}\"}}]}}]}",
                "{\"choices\":[{\"delta\":{\"content\":null}},{\"delta\":{\"content\":7}},{\"delta\":{\"content\":[\"x\"]}},{\"delta\":\"x\"},3,[1]]}",
                "{\"choices\":{\"first\":{\"delta\":{\"content\":\"x\"}}}}",
                "{\"choices\":\"none\"}", "{\"choices\":null}", "{\"choices\":{}}",
                // errors in the stream
                "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"code\":null}}",
                "{\"error\":{\"type\":\"x\"}}", "{\"error\":\"plain\"}", "{\"error\":null}",
                "{\"error\":{\"message\":{\"nested\":true}}}",
                // usage shapes: absent fields, strings, floats, null, not an object, nested oddities
                "{\"usage\":{}}", "{\"usage\":null}", "{\"usage\":[1,2]}", "{\"usage\":\"12\"}",
                "{\"usage\":{\"prompt_tokens\":\"12\",\"completion_tokens\":3.9,\"prompt_tokens_details\":null}}",
                "{\"usage\":{\"prompt_tokens\":\"x\",\"completion_tokens\":{\"a\":1},\"prompt_tokens_details\":{\"cached_tokens\":[1]}}}",
                "{\"usage\":{\"prompt_tokens\":-1,\"completion_tokens\":9223372036854775807}}",
                // a field given twice: the last one counts
                "{\"usage\":{\"prompt_tokens\":1},\"usage\":{\"prompt_tokens\":2}}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"choices\":[]}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\",\"content\":\"\"}}]}",
                // not objects, empty
                "[1,2]", "\"text\"", "42", "null", "true", "{}", "", "   ",
                // deep nesting in skipped fields, unicode and escapes
                "{\"x\":{\"y\":[{\"z\":[[[{}]]]}]},\"choices\":[{\"delta\":{\"content\":\"h\\u00e9\\n\\\"\"}}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"日本\"}}],\"usage\":{\"prompt_tokens\":1}}");
    }

    static Stream<String> malformed() {
        return Stream.of("{", "{\"choices\":[", "{\"a\":}", "not json", "{\"a\":1}}", "{\"a\":1} {\"b\":2}",
                "{\"a\":1} x", "[1,]", "{\"a\" 1}", "{'a':1}", "{\"usage\":{\"prompt_tokens\":01}}");
    }

    @ParameterizedTest
    @MethodSource("variants")
    void findsWhatATreeFinds(String text) {
        assertThat(Found.of(OpenAiChunkScan.of(JSON, text))).isEqualTo(Found.tree(text));
        assertThat(Found.of(OpenAiChunkScan.of(JSON, text.getBytes(StandardCharsets.UTF_8)))).isEqualTo(Found.tree(text));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void refusesWhatATreeRefuses(String text) {
        assertThatThrownBy(() -> JSON.readTree(text)).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> OpenAiChunkScan.of(JSON, text)).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> OpenAiChunkScan.of(JSON, text.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(JacksonException.class);
    }

    @Test
    void readsOpenAiUsageChunkValues() {
        OpenAiChunkScan scan = OpenAiChunkScan.of(JSON, "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,"
                + "\"completion_tokens\":34,\"total_tokens\":46,\"prompt_tokens_details\":{\"cached_tokens\":5}}}");
        assertThat(scan.usage).isEqualTo(new TokenUsage(12, 34, 5));
        assertThat(scan.choices).isFalse();
        assertThat(scan.error).isFalse();
    }

    @Test
    void countsNonEmptyContentDeltasOfEveryChoice() {
        OpenAiChunkScan scan = OpenAiChunkScan.of(JSON,
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}},{\"delta\":{\"content\":\"\"}},{\"delta\":{\"content\":\"b\"}}]}");
        assertThat(scan.choices).isTrue();
        assertThat(scan.contentDeltas).isEqualTo(2);
        assertThat(scan.usage).isNull();
    }

    @Test
    void readsTheErrorMessage() {
        OpenAiChunkScan scan = OpenAiChunkScan.of(JSON, "{\"error\":{\"type\":\"server_error\",\"message\":\"overloaded\"}}");
        assertThat(scan.error).isTrue();
        assertThat(scan.errorMessage).isEqualTo("overloaded");
    }
}
