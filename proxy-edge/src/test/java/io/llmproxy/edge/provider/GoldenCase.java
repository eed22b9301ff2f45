package io.llmproxy.edge.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.stream.SseDecoder;
import io.llmproxy.edge.stream.SseEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One golden wire case under {@code golden/<provider>/<case>/} (see {@code golden/README.md}): runs a
 * translator over it, non-streamed or streamed, and asserts every file.
 */
public final class GoldenCase {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    /** The credential of every golden provider; asserted never to appear in translated output. */
    public static final String SECRET = "sk-golden-secret-0001";

    private final String dir;
    private final String type;

    public GoldenCase(String type, String dir) {
        this.type = type;
        this.dir = "golden/" + dir + "/";
    }

    public String text(String file) {
        try (InputStream in = GoldenCase.class.getClassLoader().getResourceAsStream(dir + file)) {
            assertThat(in).as(dir + file).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ProviderEntry provider() {
        return new ProviderEntry("p-golden", "golden-" + type, type, text("base-url.txt").trim(), SECRET);
    }

    public String providerModel() {
        return text("provider-model.txt").trim();
    }

    /** The canonical request; streamed: with {@code "stream":true,"stream_options":{"include_usage":true}}. */
    public ObjectNode request(boolean stream) {
        ObjectNode request = (ObjectNode) JSON.readTree(text("request.json"));
        if (stream) {
            request.put("stream", true);
            request.putObject("stream_options").put("include_usage", true);
        }
        return request;
    }

    /** Asserts URL and body of the translated request; returns it for header checks. */
    public UpstreamRequest assertRequest(UpstreamRequest actual, boolean stream) {
        assertThat(actual.url()).isEqualTo(text("upstream-url.txt").trim());
        assertThat(JSON.readTree(actual.body()))
                .isEqualTo(JSON.readTree(text(stream ? "upstream-request.stream.json" : "upstream-request.json")));
        assertThat(actual.toString()).doesNotContain(SECRET);
        return actual;
    }

    /** Runs a chat translator over {@code response.json} and asserts the canonical answer and usage. */
    public void assertChatResponse(ChatTranslator translator) {
        Translated translated = translator.response(text("response.json").getBytes(StandardCharsets.UTF_8));
        assertThat(translated.error()).isNull();
        assertThat(withoutCreated(JSON.readTree(translated.bytes())))
                .isEqualTo(withoutCreated(JSON.readTree(text("expected-response.json"))));
        assertUsage(translated.usage(), "expected-usage.txt");
        assertUsage(translator.usageSoFar(), "expected-usage.txt");
        assertThat(translator.usageReported()).isTrue();
    }

    /** Runs an embeddings translator over {@code response.json} and asserts answer and usage. */
    public void assertEmbeddingsResponse(EmbeddingsTranslator translator) {
        Translated translated = translator.response(text("response.json").getBytes(StandardCharsets.UTF_8));
        assertThat(translated.error()).isNull();
        assertThat(JSON.readTree(translated.bytes())).isEqualTo(JSON.readTree(text("expected-response.json")));
        assertUsage(translated.usage(), "expected-usage.txt");
    }

    /**
     * Decodes {@code stream.txt}, translates event by event, and asserts the client bytes against
     * {@code expected-stream.txt} event by event ({@code created} ignored), the end, and the usage.
     */
    public void assertStream(ChatTranslator translator) {
        List<SseEvent> events = new SseDecoder().feed(text("stream.txt").getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean done = false;
        for (SseEvent event : events) {
            assertThat(done).as("no event after the end").isFalse();
            Translated translated = translator.streamEvent(event);
            assertThat(translated.error()).isNull();
            out.writeBytes(translated.bytes());
            done = translated.done();
        }
        assertThat(done).isTrue();
        List<SseEvent> actual = new SseDecoder().feed(out.toByteArray());
        List<SseEvent> expected = new SseDecoder().feed(text("expected-stream.txt").getBytes(StandardCharsets.UTF_8));
        assertThat(actual).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i).isDone()) {
                assertThat(actual.get(i).isDone()).isTrue();
            } else {
                assertThat(withoutCreated(JSON.readTree(actual.get(i).data()))).as("event " + i)
                        .isEqualTo(withoutCreated(JSON.readTree(expected.get(i).data())));
            }
        }
        assertUsage(translator.usageSoFar(), "expected-usage.stream.txt");
        assertThat(translator.usageReported()).isTrue();
    }

    /** The concatenated tool-call {@code arguments} per tool index of a canonical stream. */
    public static List<String> toolArguments(byte[] canonicalStream) {
        List<StringBuilder> args = new ArrayList<>();
        for (SseEvent event : new SseDecoder().feed(canonicalStream)) {
            if (event.isDone()) {
                continue;
            }
            JsonNode chunk = JSON.readTree(event.data());
            for (JsonNode choice : chunk.path("choices")) {
                for (JsonNode call : choice.path("delta").path("tool_calls")) {
                    int index = call.get("index").asInt();
                    while (args.size() <= index) {
                        args.add(new StringBuilder());
                    }
                    args.get(index).append(call.path("function").path("arguments").asString(""));
                }
            }
        }
        return args.stream().map(StringBuilder::toString).toList();
    }

    private void assertUsage(TokenUsage usage, String file) {
        String[] parts = text(file).trim().split("\\s+");
        assertThat(usage).isEqualTo(new TokenUsage(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])));
    }

    private static JsonNode withoutCreated(JsonNode node) {
        if (node instanceof ObjectNode object) {
            ObjectNode copy = object.deepCopy();
            copy.remove("created");
            return copy;
        }
        return node;
    }
}
