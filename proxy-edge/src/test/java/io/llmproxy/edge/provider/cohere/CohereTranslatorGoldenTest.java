package io.llmproxy.edge.provider.cohere;

import static io.llmproxy.edge.provider.GoldenFixtures.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.provider.GoldenFixtures;
import io.llmproxy.edge.provider.StreamFraming;
import io.llmproxy.edge.provider.TokenUsage;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.stream.SseDecoder;
import io.llmproxy.edge.stream.SseEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Cohere v2 golden transcripts (https://docs.cohere.com/reference/chat, /reference/chat-stream,
 * https://docs.cohere.com/docs/tool-use-streaming, /reference/embed), each run streamed and not.
 */
class CohereTranslatorGoldenTest {

    static final String KEY = "co-secret-key";
    static final ProviderEntry PROVIDER = new ProviderEntry("p", "cohere-golden", "cohere", "https://api.cohere.com/v2/", KEY);

    @ParameterizedTest
    @ValueSource(strings = {"chat", "tools"})
    void requestsMatchTheGoldenUpstreamBodyStreamedAndNot(String golden) {
        for (boolean stream : new boolean[] {false, true}) {
            CohereChatTranslator translator = new CohereChatTranslator(JSON, stream, false);
            UpstreamRequest request = translator.request(GoldenFixtures.object("cohere/" + golden + ".request.json"), PROVIDER,
                    "command-a-03-2025");
            assertThat(request.url()).isEqualTo("https://api.cohere.com/v2/chat");
            assertThat(request.headers()).containsEntry("Authorization", "Bearer " + KEY);
            assertThat(request.toString()).doesNotContain(KEY);
            assertThat(translator.framing()).isEqualTo(StreamFraming.SSE);
            ObjectNode expected = GoldenFixtures.object("cohere/" + golden + ".upstream.json");
            expected.put("stream", stream);
            assertThat(JSON.readTree(request.body())).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat", "tools"})
    void responsesAndStreamsMatchTheGoldenCanonicalAndAgree(String golden) {
        CohereChatTranslator whole = new CohereChatTranslator(JSON, false, false);
        whole.request(GoldenFixtures.object("cohere/" + golden + ".request.json"), PROVIDER, "command-a-03-2025");
        Translated response = whole.response(GoldenFixtures.text("cohere/" + golden + ".response.json").getBytes(StandardCharsets.UTF_8));
        assertThat(response.error()).isNull();
        GoldenFixtures.assertJson("cohere/" + golden + ".expected.json", response.bytes());

        CohereChatTranslator streamed = new CohereChatTranslator(JSON, true, true);
        streamed.request(GoldenFixtures.object("cohere/" + golden + ".request.json"), PROVIDER, "command-a-03-2025");
        String sse = run(streamed, GoldenFixtures.text("cohere/" + golden + ".stream.sse").getBytes(StandardCharsets.UTF_8), -1);
        GoldenFixtures.assertSse("cohere/" + golden + ".stream.expected.sse", sse);

        JsonNode canonical = JSON.readTree(response.bytes());
        JsonNode message = canonical.get("choices").get(0).get("message");
        StringBuilder text = new StringBuilder();
        List<StringBuilder> arguments = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        String finish = null;
        JsonNode usage = null;
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
                for (JsonNode call : choice.path("delta").path("tool_calls")) {
                    int index = call.get("index").asInt();
                    if (call.has("id")) {
                        assertThat(index).isEqualTo(ids.size());
                        ids.add(call.get("id").asString());
                        arguments.add(new StringBuilder());
                        assertThat(call.get("function").get("name").asString()).isNotEmpty();
                    }
                    arguments.get(index).append(call.get("function").get("arguments").asString());
                }
                if (!choice.get("finish_reason").isNull()) {
                    finish = choice.get("finish_reason").asString();
                }
            }
        }
        assertThat(text.toString()).isEqualTo(message.path("content").asString(""));
        assertThat(finish).isEqualTo(canonical.get("choices").get(0).get("finish_reason").asString());
        assertThat(usage).isEqualTo(canonical.get("usage"));
        assertThat(streamed.usageSoFar()).isEqualTo(whole.usageSoFar());
        assertThat(ids).hasSize(message.path("tool_calls").size());
        for (int i = 0; i < ids.size(); i++) {
            assertThat(ids.get(i)).isEqualTo(message.get("tool_calls").get(i).get("id").asString());
            assertThat(JSON.readTree(arguments.get(i).toString()))
                    .isEqualTo(JSON.readTree(message.get("tool_calls").get(i).get("function").get("arguments").asString()));
        }
    }

    @Test
    void theToolStreamTranslatesIdenticallyWhenSplitAtEveryByte() {
        byte[] sse = GoldenFixtures.text("cohere/tools.stream.sse").getBytes(StandardCharsets.UTF_8);
        String reference = GoldenFixtures.normalizeSse(run(started(), sse, -1));
        for (int cut = 0; cut <= sse.length; cut++) {
            assertThat(GoldenFixtures.normalizeSse(run(started(), sse, cut))).as("split at byte %d", cut).isEqualTo(reference);
        }
    }

    private static CohereChatTranslator started() {
        CohereChatTranslator t = new CohereChatTranslator(JSON, true, false);
        t.request(GoldenFixtures.object("cohere/tools.request.json"), PROVIDER, "command-a-03-2025");
        return t;
    }

    static String run(CohereChatTranslator translator, byte[] sse, int cut) {
        SseDecoder decoder = new SseDecoder();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<byte[]> reads = cut < 0 ? List.of(sse)
                : List.of(java.util.Arrays.copyOfRange(sse, 0, cut), java.util.Arrays.copyOfRange(sse, cut, sse.length));
        boolean done = false;
        for (byte[] read : reads) {
            for (SseEvent event : decoder.feed(read)) {
                Translated t = translator.streamEvent(event);
                assertThat(t.error()).isNull();
                out.writeBytes(t.bytes());
                done |= t.done();
            }
        }
        assertThat(done).isTrue();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void finishReasonsMapToOpenAiAndErrorIsAFailure() {
        assertThat(CohereChatTranslator.finishReason("COMPLETE")).isEqualTo("stop");
        assertThat(CohereChatTranslator.finishReason("STOP_SEQUENCE")).isEqualTo("stop");
        assertThat(CohereChatTranslator.finishReason("MAX_TOKENS")).isEqualTo("length");
        assertThat(CohereChatTranslator.finishReason("TOOL_CALL")).isEqualTo("tool_calls");

        CohereChatTranslator t = started();
        t.streamEvent(SseEvent.of("content-delta", "{\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"Hi\"}}}}"));
        Translated end = t.streamEvent(SseEvent.of("message-end", "{\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"ERROR\","
                + "\"usage\":{\"billed_units\":{\"input_tokens\":5,\"output_tokens\":1}}}}"));
        assertThat(end.error()).isEqualTo(new UpstreamFailure(502, "server_error", "upstream_error",
                "cohere-golden failed mid-stream: finish_reason ERROR", null));
        assertThat(end.usage()).isEqualTo(new TokenUsage(5, 1));
        assertThat(end.done()).isFalse();
    }

    @Test
    void httpErrorsNameTheProviderKeepRetryAfterAndNeverTheKey() {
        CohereChatTranslator t = started();
        UpstreamFailure limited = t.error(429, "{\"id\":\"x\",\"message\":\"You are using a Trial key, which is limited to 10 API calls / minute.\"}"
                .getBytes(StandardCharsets.UTF_8), "60");
        assertThat(limited).isEqualTo(new UpstreamFailure(429, "rate_limit_error", "rate_limit_exceeded",
                "cohere-golden is rate limiting (HTTP 429): You are using a Trial key, which is limited to 10 API calls / minute.", "60"));
        UpstreamFailure auth = t.error(401, "{\"message\":\"invalid api token\"}".getBytes(StandardCharsets.UTF_8), null);
        assertThat(auth.status()).isEqualTo(502);
        assertThat(auth.message()).isEqualTo("cohere-golden refused the gateway's credentials (HTTP 401)").doesNotContain(KEY);
        assertThat(t.error(400, "{\"id\":\"x\",\"message\":\"invalid request: message must be at least 1 token long\"}"
                .getBytes(StandardCharsets.UTF_8), null).message())
                .isEqualTo("cohere-golden rejected the request (HTTP 400): invalid request: message must be at least 1 token long");
    }

    @Test
    void embeddingsMatchTheGoldenFiles() {
        CohereEmbeddingsTranslator t = new CohereEmbeddingsTranslator(JSON);
        UpstreamRequest request = t.request(GoldenFixtures.object("cohere/embed.request.json"), PROVIDER, "embed-v4.0");
        assertThat(request.url()).isEqualTo("https://api.cohere.com/v2/embed");
        assertThat(request.headers()).containsEntry("Authorization", "Bearer " + KEY);
        assertThat(JSON.readTree(request.body())).isEqualTo(GoldenFixtures.object("cohere/embed.upstream.json"));
        Translated response = t.response(GoldenFixtures.text("cohere/embed.response.json").getBytes(StandardCharsets.UTF_8));
        GoldenFixtures.assertJson("cohere/embed.expected.json", response.bytes());
        assertThat(t.usageSoFar()).isEqualTo(new TokenUsage(2, 0));
    }
}
