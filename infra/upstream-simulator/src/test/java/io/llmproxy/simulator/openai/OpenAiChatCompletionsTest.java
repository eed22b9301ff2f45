package io.llmproxy.simulator.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** End-to-end tests of the OpenAI Chat Completions format against a running simulator. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class OpenAiChatCompletionsTest {

    /** System + user message; prompt_tokens by the documented rule: 3 + (6 + 4) + (8 + 4) = 25. */
    private static final String MESSAGES = """
            [{"role":"system","content":"You are a helpful assistant."},
             {"role":"user","content":"Hello, world! How are you?"}]""";

    @Autowired
    WebTestClient client;

    @Autowired
    JsonMapper mapper;

    private String body(String model, String extra) {
        return "{\"model\":\"" + model + "\",\"messages\":" + MESSAGES + extra + "}";
    }

    private WebTestClient.ResponseSpec post(String body) {
        return client.post().uri("/v1/chat/completions")
                .header("Authorization", "Bearer sk-test")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange();
    }

    private JsonNode json(WebTestClient.ResponseSpec spec) {
        byte[] bytes = spec.expectBody(byte[].class).returnResult().getResponseBody();
        return mapper.readTree(bytes);
    }

    private JsonNode completion(String body) {
        return json(post(body).expectStatus().isOk().expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON));
    }

    /** The raw SSE body split into its events, each asserted to be a single "data: " line. */
    private List<String> streamEvents(String body) {
        byte[] bytes = post(body).expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .expectBody(byte[].class).returnResult().getResponseBody();
        String raw = new String(bytes, StandardCharsets.UTF_8);
        assertThat(raw).endsWith("data: [DONE]\n\n");
        List<String> data = new ArrayList<>();
        for (String event : raw.substring(0, raw.length() - 2).split("\n\n", -1)) {
            assertThat(event).startsWith("data: ").doesNotContain("\n");
            data.add(event.substring("data: ".length()));
        }
        return data;
    }

    private List<JsonNode> chunks(List<String> events) {
        assertThat(events.getLast()).isEqualTo("[DONE]");
        return events.subList(0, events.size() - 1).stream().map(mapper::readTree).toList();
    }

    @Test
    void nonStreamedCompletionHasTheDocumentedShape() {
        JsonNode root = completion(body("sim-gpt-4o-mini", ""));

        // Pinned in CompletionPlannerTest.outputIsPinned for the same model and messages.
        assertThat(root.get("id").stringValue()).isEqualTo("chatcmpl-HkD5xaqnBjsV6jgJsixhvoMaACU6x");
        assertThat(root.get("object").stringValue()).isEqualTo("chat.completion");
        assertThat(root.get("created").longValue()).isGreaterThan(1_700_000_000L);
        assertThat(root.get("model").stringValue()).isEqualTo("sim-gpt-4o-mini");
        assertThat(root.get("system_fingerprint").stringValue()).isEqualTo("fp_sim");
        assertThat(root.get("choices")).hasSize(1);
        JsonNode choice = root.get("choices").get(0);
        assertThat(choice.get("index").intValue()).isZero();
        assertThat(choice.get("message").get("role").stringValue()).isEqualTo("assistant");
        assertThat(choice.get("message").get("refusal").isNull()).isTrue();
        assertThat(choice.get("logprobs").isNull()).isTrue();
        assertThat(choice.get("finish_reason").stringValue()).isEqualTo("stop");

        String content = choice.get("message").get("content").stringValue();
        JsonNode usage = root.get("usage");
        int completionTokens = usage.get("completion_tokens").intValue();
        assertThat(usage.get("prompt_tokens").intValue()).isEqualTo(25);
        assertThat(content).startsWith("a whiskey yankee zephyr ").endsWith(" quebec valley echo");
        assertThat(completionTokens).isEqualTo(30).isEqualTo(content.split(" ").length);
        assertThat(usage.get("total_tokens").intValue()).isEqualTo(55);
        assertThat(usage.get("prompt_tokens_details").get("cached_tokens").intValue()).isZero();
        assertThat(usage.get("completion_tokens_details").get("reasoning_tokens").intValue()).isZero();
    }

    @Test
    void streamConcatenatesToTheNonStreamedContentWithTheSameUsage() {
        JsonNode whole = completion(body("sim-gpt-4o", ""));
        List<JsonNode> chunks = chunks(streamEvents(body("sim-gpt-4o",
                ",\"stream\":true,\"stream_options\":{\"include_usage\":true}")));

        String id = whole.get("id").stringValue();
        for (JsonNode chunk : chunks) {
            assertThat(chunk.get("id").stringValue()).isEqualTo(id);
            assertThat(chunk.get("object").stringValue()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.get("created").longValue()).isEqualTo(chunks.getFirst().get("created").longValue());
            assertThat(chunk.get("model").stringValue()).isEqualTo("sim-gpt-4o");
            assertThat(chunk.get("system_fingerprint").stringValue()).isEqualTo("fp_sim");
        }

        JsonNode first = chunks.getFirst().get("choices").get(0);
        assertThat(first.get("delta").get("role").stringValue()).isEqualTo("assistant");
        assertThat(first.get("delta").get("content").stringValue()).isEmpty();
        assertThat(first.get("finish_reason").isNull()).isTrue();

        List<JsonNode> tokenChunks = chunks.subList(1, chunks.size() - 2);
        StringBuilder content = new StringBuilder();
        for (JsonNode chunk : tokenChunks) {
            JsonNode choice = chunk.get("choices").get(0);
            assertThat(choice.get("delta").size()).isEqualTo(1);
            assertThat(choice.get("finish_reason").isNull()).isTrue();
            assertThat(chunk.get("usage").isNull()).isTrue();
            content.append(choice.get("delta").get("content").stringValue());
        }
        assertThat(content.toString()).isEqualTo(whole.get("choices").get(0).get("message").get("content").stringValue());
        assertThat(tokenChunks).hasSize(whole.get("usage").get("completion_tokens").intValue());

        JsonNode finish = chunks.get(chunks.size() - 2);
        assertThat(finish.get("choices").get(0).get("delta").isEmpty()).isTrue();
        assertThat(finish.get("choices").get(0).get("finish_reason").stringValue()).isEqualTo("stop");
        assertThat(finish.get("usage").isNull()).isTrue();

        JsonNode usageChunk = chunks.getLast();
        assertThat(usageChunk.get("choices").isArray()).isTrue();
        assertThat(usageChunk.get("choices").isEmpty()).isTrue();
        assertThat(usageChunk.get("usage")).isEqualTo(whole.get("usage"));
        assertThat(usageChunk.get("usage").get("prompt_tokens").intValue()).isEqualTo(25);
    }

    @Test
    void streamWithoutIncludeUsageHasNoUsageField() {
        List<JsonNode> chunks = chunks(streamEvents(body("sim-gpt-4o", ",\"stream\":true")));
        for (JsonNode chunk : chunks) {
            assertThat(chunk.has("usage")).isFalse();
            assertThat(chunk.get("choices")).hasSize(1);
        }
        assertThat(chunks.getLast().get("choices").get(0).get("finish_reason").stringValue()).isEqualTo("stop");
    }

    @Test
    void maxTokensCutsWithFinishReasonLength() {
        JsonNode cut = completion(body("sim-gpt-4o-mini", ",\"max_tokens\":3"));
        assertThat(cut.get("choices").get(0).get("finish_reason").stringValue()).isEqualTo("length");
        assertThat(cut.get("usage").get("completion_tokens").intValue()).isEqualTo(3);
        assertThat(cut.get("usage").get("total_tokens").intValue()).isEqualTo(28);
        assertThat(cut.get("choices").get(0).get("message").get("content").stringValue().split(" ")).hasSize(3);

        List<JsonNode> chunks = chunks(streamEvents(body("sim-gpt-4o-mini",
                ",\"max_completion_tokens\":3,\"stream\":true,\"stream_options\":{\"include_usage\":true}")));
        assertThat(chunks).hasSize(1 + 3 + 1 + 1);
        assertThat(chunks.get(4).get("choices").get(0).get("finish_reason").stringValue()).isEqualTo("length");
        assertThat(chunks.get(5).get("usage").get("completion_tokens").intValue()).isEqualTo(3);
    }

    @Test
    void sameRequestIsDeterministicAndDifferentRequestsDiffer() {
        JsonNode first = completion(body("sim-gpt-4o-mini", ""));
        JsonNode second = completion(body("sim-gpt-4o-mini", ""));
        assertThat(second.get("id")).isEqualTo(first.get("id"));
        assertThat(second.get("choices")).isEqualTo(first.get("choices"));
        assertThat(second.get("usage")).isEqualTo(first.get("usage"));

        JsonNode other = completion("""
                {"model":"sim-gpt-4o-mini","messages":[{"role":"user","content":"Something else entirely."}]}""");
        assertThat(other.get("id")).isNotEqualTo(first.get("id"));
        assertThat(other.get("choices").get(0).get("message").get("content"))
                .isNotEqualTo(first.get("choices").get(0).get("message").get("content"));
        // 3 + (Something|else|entirely|. = 4, + 4)
        assertThat(other.get("usage").get("prompt_tokens").intValue()).isEqualTo(11);
    }

    @Test
    void contentPartsCountTextAndEightyFiveTokensPerImage() {
        JsonNode root = completion("""
                {"model":"any-model-name","messages":[{"role":"user","content":[
                  {"type":"text","text":"What is in this picture?"},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}""");
        // What|is|in|this|picture|? = 6, image = 85, message +4, request +3
        assertThat(root.get("usage").get("prompt_tokens").intValue()).isEqualTo(98);
        assertThat(root.get("model").stringValue()).isEqualTo("any-model-name");
    }

    @Test
    void streamIsFlushedChunkByChunk() {
        Flux<String> events = client.post().uri("/v1/chat/completions")
                .header("Authorization", "Bearer sk-test")
                .header("x-sim-inter-token-ms", "600")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body("sim-gpt-4o-mini", ",\"max_tokens\":3,\"stream\":true"))
                .exchange()
                .expectStatus().isOk()
                .returnResult(String.class)
                .getResponseBody();
        // role + first token at once, then tokens 2 and 3 600 ms apart, the finish chunk, [DONE].
        // Flushed event by event, the first and the last token arrive >= 1.2 s apart (nominally);
        // a batched stream would deliver them together. Only a lower bound on the spread (>= 600 ms):
        // a slow receiver delays events but cannot make them arrive further apart than they were sent
        // unless it stalls for longer than the spread.
        List<long[]> arrivals = new java.util.ArrayList<>();
        StepVerifier.create(events.doOnNext(e -> arrivals.add(new long[] {System.nanoTime()})))
                .assertNext(e -> assertThat(e).contains("\"role\":\"assistant\""))
                .assertNext(e -> assertThat(e).contains("\"content\""))
                .assertNext(e -> assertThat(e).contains("\"content\""))
                .assertNext(e -> assertThat(e).contains("\"content\""))
                .assertNext(e -> assertThat(e).contains("\"finish_reason\":\"length\""))
                .assertNext(e -> assertThat(e).isEqualTo("[DONE]"))
                .expectComplete()
                .verify(Duration.ofSeconds(20));
        long spreadMs = (arrivals.get(3)[0] - arrivals.get(1)[0]) / 1_000_000;
        assertThat(spreadMs).isGreaterThanOrEqualTo(600);
    }

    @Test
    void nonStreamWaitsTtftPlusOneInterTokenDelayPerToken() {
        long start = System.nanoTime();
        JsonNode root = json(client.post().uri("/v1/chat/completions")
                .header("Authorization", "Bearer sk-test")
                .header("x-sim-ttft-ms", "200")
                .header("x-sim-inter-token-ms", "50")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body("sim-gpt-4o-mini", ",\"max_tokens\":4"))
                .exchange()
                .expectStatus().isOk());
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(root.get("usage").get("completion_tokens").intValue()).isEqualTo(4);
        assertThat(elapsedMs).isGreaterThanOrEqualTo(200 + 4 * 50);
    }

    @Test
    void modelsListIsFixed() {
        JsonNode root = json(client.get().uri("/v1/models").header("Authorization", "Bearer sk-test")
                .exchange().expectStatus().isOk());
        assertThat(root.get("object").stringValue()).isEqualTo("list");
        List<String> ids = new ArrayList<>();
        for (JsonNode model : root.get("data")) {
            ids.add(model.get("id").stringValue());
            assertThat(model.get("object").stringValue()).isEqualTo("model");
            assertThat(model.get("created").longValue()).isEqualTo(1_700_000_000L);
            assertThat(model.get("owned_by").stringValue()).isEqualTo("upstream-simulator");
        }
        assertThat(ids).containsExactly("sim-gpt-4o-mini", "sim-gpt-4o", "sim-embedding-small");
    }

    @Test
    void healthNeedsNoAuthentication() {
        client.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }
}
