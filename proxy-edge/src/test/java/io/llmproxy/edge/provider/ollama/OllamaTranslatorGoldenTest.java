package io.llmproxy.edge.provider.ollama;

import static io.llmproxy.edge.provider.GoldenFixtures.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmproxy.edge.provider.GoldenFixtures;
import io.llmproxy.edge.provider.StreamFraming;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UnsupportedRequestException;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.stream.NdjsonDecoder;
import io.llmproxy.edge.stream.SseEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Ollama golden transcripts (https://github.com/ollama/ollama/blob/main/docs/api.md: "Generate a chat
 * completion", "Chat request (with tools)", "Generate Embeddings"), each run streamed and not.
 */
class OllamaTranslatorGoldenTest {

    static final ProviderEntry PROVIDER = new ProviderEntry("p", "ollama-golden", "ollama", "http://ollama:11434/", "");

    static OllamaChatTranslator translator(boolean stream, boolean usage) {
        return new OllamaChatTranslator(JSON, stream, usage);
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat", "tools"})
    void requestsMatchTheGoldenUpstreamBodyStreamedAndNot(String golden) {
        for (boolean stream : new boolean[] {false, true}) {
            OllamaChatTranslator translator = translator(stream, false);
            UpstreamRequest request = translator.request(GoldenFixtures.object("ollama/" + golden + ".request.json"), PROVIDER, "llama3.2");
            assertThat(request.url()).isEqualTo("http://ollama:11434/api/chat");
            assertThat(request.headers()).doesNotContainKey("Authorization");
            assertThat(translator.framing()).isEqualTo(StreamFraming.NDJSON);
            ObjectNode expected = GoldenFixtures.object("ollama/" + golden + ".upstream.json");
            expected.put("stream", stream);
            assertThat(JSON.readTree(request.body())).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat", "tools"})
    void responsesAndStreamsMatchTheGoldenCanonicalAndAgree(String golden) {
        OllamaChatTranslator whole = translator(false, false);
        whole.request(GoldenFixtures.object("ollama/" + golden + ".request.json"), PROVIDER, "llama3.2");
        Translated response = whole.response(GoldenFixtures.text("ollama/" + golden + ".response.json").getBytes(StandardCharsets.UTF_8));
        assertThat(response.error()).isNull();
        GoldenFixtures.assertJson("ollama/" + golden + ".expected.json", response.bytes());

        OllamaChatTranslator streamed = translator(true, true);
        streamed.request(GoldenFixtures.object("ollama/" + golden + ".request.json"), PROVIDER, "llama3.2");
        String sse = run(streamed, GoldenFixtures.text("ollama/" + golden + ".stream.ndjson").getBytes(StandardCharsets.UTF_8), -1);
        GoldenFixtures.assertSse("ollama/" + golden + ".stream.expected.sse", sse);

        // both runs agree: text, tool calls (same stable ids), finish reason and usage
        JsonNode message = JSON.readTree(response.bytes()).get("choices").get(0).get("message");
        StringBuilder text = new StringBuilder();
        String finish = null;
        JsonNode usage = null;
        List<JsonNode> calls = new java.util.ArrayList<>();
        for (String block : sse.split("\n\n")) {
            if (!block.startsWith("data: {")) {
                continue;
            }
            JsonNode chunk = JSON.readTree(block.substring(6));
            if (chunk.has("usage")) {
                usage = chunk.get("usage");
            }
            for (JsonNode choice : chunk.get("choices")) {
                text.append(choice.path("delta").path("content").asString(""));
                choice.path("delta").path("tool_calls").forEach(calls::add);
                if (!choice.get("finish_reason").isNull()) {
                    finish = choice.get("finish_reason").asString();
                }
            }
        }
        assertThat(text.toString()).isEqualTo(message.get("content").asString());
        assertThat(finish).isEqualTo(JSON.readTree(response.bytes()).get("choices").get(0).get("finish_reason").asString());
        assertThat(usage).isEqualTo(JSON.readTree(response.bytes()).get("usage"));
        assertThat(streamed.usageSoFar()).isEqualTo(whole.usageSoFar());
        assertThat(streamed.usageReported()).isTrue();
        for (int i = 0; i < calls.size(); i++) {
            JsonNode call = message.get("tool_calls").get(i);
            assertThat(calls.get(i).get("index").asInt()).isEqualTo(i);
            assertThat(calls.get(i).get("id").asString()).isEqualTo(call.get("id").asString()).startsWith("call_");
            assertThat(calls.get(i).get("function")).isEqualTo(call.get("function"));
        }
        assertThat(calls).hasSize(message.path("tool_calls").size());
    }

    @Test
    void theStreamTranslatesIdenticallyWhenSplitAtEveryByte() {
        byte[] ndjson = GoldenFixtures.text("ollama/chat.stream.ndjson").getBytes(StandardCharsets.UTF_8);
        String reference = GoldenFixtures.normalizeSse(run(started(), ndjson, -1));
        for (int cut = 0; cut <= ndjson.length; cut++) {
            assertThat(GoldenFixtures.normalizeSse(run(started(), ndjson, cut))).as("split at byte %d", cut).isEqualTo(reference);
        }
        assertThat(reference).endsWith("data: [DONE]\n\n");
    }

    private static OllamaChatTranslator started() {
        OllamaChatTranslator t = translator(true, true);
        t.request(GoldenFixtures.object("ollama/chat.request.json"), PROVIDER, "llama3.2");
        return t;
    }

    /** Feeds the NDJSON bytes through the edge's decoder (two reads split at {@code cut}, or one when -1). */
    static String run(OllamaChatTranslator translator, byte[] ndjson, int cut) {
        NdjsonDecoder decoder = new NdjsonDecoder();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<byte[]> reads = cut < 0 ? List.of(ndjson)
                : List.of(java.util.Arrays.copyOfRange(ndjson, 0, cut), java.util.Arrays.copyOfRange(ndjson, cut, ndjson.length));
        boolean done = false;
        for (byte[] read : reads) {
            for (String line : decoder.feed(read)) {
                Translated t = translator.streamEvent(SseEvent.ofData(line));
                assertThat(t.error()).isNull();
                out.writeBytes(t.bytes());
                done |= t.done();
            }
        }
        assertThat(done).isTrue();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void imageUrlsAreRefusedAndDataUrlsBecomeBase64Images() {
        ObjectNode request = (ObjectNode) JSON.readTree("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://example.com/a.png\"}}]}]}");
        assertThatThrownBy(() -> translator(false, false).request(request, PROVIDER, "llava"))
                .isInstanceOf(UnsupportedRequestException.class)
                .hasMessage("Provider 'ollama-golden' (ollama) takes images only inline as base64 data: URLs, not image URLs it would have to fetch.")
                .extracting(e -> ((UnsupportedRequestException) e).param()).isEqualTo("messages");
    }

    @Test
    void midStreamErrorLinesAndHttpErrorsBecomeUpstreamFailures() {
        OllamaChatTranslator t = started();
        Translated error = t.streamEvent(SseEvent.ofData("{\"error\":\"an error was encountered while running the model: unexpected EOF\"}"));
        assertThat(error.error()).isEqualTo(new UpstreamFailure(502, "server_error", "upstream_error",
                "ollama-golden failed mid-stream: an error was encountered while running the model: unexpected EOF", null));

        assertThat(t.error(404, "{\"error\":\"model 'llama9' not found, try pulling it first\"}".getBytes(StandardCharsets.UTF_8), null))
                .isEqualTo(new UpstreamFailure(404, "invalid_request_error", "upstream_rejected",
                        "ollama-golden rejected the request (HTTP 404): model 'llama9' not found, try pulling it first", null));
        assertThat(t.error(429, new byte[0], "3")).isEqualTo(new UpstreamFailure(429, "rate_limit_error", "rate_limit_exceeded",
                "ollama-golden is rate limiting (HTTP 429)", "3"));
        assertThat(t.error(500, "not json".getBytes(StandardCharsets.UTF_8), null).status()).isEqualTo(502);
    }

    @Test
    void credentialIsSentAsBearerOnlyWhenSetAndBaseUrlsAreTolerated() {
        ProviderEntry withKey = new ProviderEntry("p", "ollama-golden", "ollama", "https://gpu.example/api", "s3cret");
        UpstreamRequest request = translator(false, false).request(GoldenFixtures.object("ollama/chat.request.json"), withKey, "m");
        assertThat(request.headers()).containsEntry("Authorization", "Bearer s3cret");
        assertThat(request.url()).isEqualTo("https://gpu.example/api/chat");
        assertThat(request.toString()).doesNotContain("s3cret");
        assertThat(OllamaUrls.api("http://h:11434", "embed")).isEqualTo("http://h:11434/api/embed");
    }

    @Test
    void embeddingsMatchTheGoldenFilesAsFloatsAndBase64() {
        OllamaEmbeddingsTranslator t = new OllamaEmbeddingsTranslator(JSON);
        UpstreamRequest request = t.request(GoldenFixtures.object("ollama/embed.request.json"), PROVIDER, "all-minilm");
        assertThat(request.url()).isEqualTo("http://ollama:11434/api/embed");
        assertThat(JSON.readTree(request.body())).isEqualTo(GoldenFixtures.object("ollama/embed.upstream.json"));
        Translated response = t.response(GoldenFixtures.text("ollama/embed.response.json").getBytes(StandardCharsets.UTF_8));
        GoldenFixtures.assertJson("ollama/embed.expected.json", response.bytes());
        assertThat(t.usageSoFar().promptTokens()).isEqualTo(8);
        assertThat(t.usageReported()).isTrue();

        ObjectNode b64 = GoldenFixtures.object("ollama/embed.request.json");
        b64.put("encoding_format", "base64");
        OllamaEmbeddingsTranslator t2 = new OllamaEmbeddingsTranslator(JSON);
        t2.request(b64, PROVIDER, "all-minilm");
        JsonNode first = JSON.readTree(t2.response(GoldenFixtures.text("ollama/embed.response.json").getBytes(StandardCharsets.UTF_8))
                .bytes()).get("data").get(0).get("embedding");
        java.nio.ByteBuffer floats = java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(first.asString()))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(floats.remaining()).isEqualTo(40);
        assertThat(floats.getFloat()).isEqualTo(0.010071029f);

        ObjectNode tokens = (ObjectNode) JSON.readTree("{\"model\":\"m\",\"input\":[[1,2,3]]}");
        assertThatThrownBy(() -> new OllamaEmbeddingsTranslator(JSON).request(tokens, PROVIDER, "m"))
                .isInstanceOf(UnsupportedRequestException.class).hasMessageContaining("token arrays");
    }
}
