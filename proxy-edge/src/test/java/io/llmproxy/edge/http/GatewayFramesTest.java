package io.llmproxy.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.kernel.usage.UsageRecorded;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The two frames of the gateway endpoints answer alike (issue #16): every endpoint, served whole and
 * streamed, refused and answered, once on {@link NettyFrame} (the exact path) and once on Spring's
 * routes (the same path with a query string). Each pair must agree on the status, the
 * {@code Content-Type}, the header names, the routing headers' values and the body (ids and times
 * aside); the Netty frame's own answer is checked against concrete values too.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class GatewayFramesTest {

    static final EdgeTestStack STACK = new EdgeTestStack();
    /** Headers that differ per answer or by transfer coding, not by frame. */
    static final Set<String> PER_ANSWER = Set.of("date", "content-length", "transfer-encoding");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        STACK.register(registry, "llmproxy_edge_frames_it");
    }

    /**
     * @param status      the expected status
     * @param contentType the expected {@code Content-Type}
     * @param routed      whether the answer came from the provider (routing headers expected)
     * @param bodyHas     a piece of the expected body
     */
    enum Case {
        CHAT("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                200, "application/json", true, "\"object\":\"chat.completion\""),
        CHAT_STREAM("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                200, "text/event-stream", true, "data: [DONE]"),
        CHAT_UNKNOWN_MODEL("/v1/chat/completions", "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                404, "application/json", false, "\"code\":\"model_not_found\""),
        MESSAGES("/v1/messages", "{\"model\":\"gpt-4o-mini\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                200, "application/json", true, "\"type\":\"message\""),
        MESSAGES_STREAM("/v1/messages",
                "{\"model\":\"gpt-4o-mini\",\"max_tokens\":5,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                200, "text/event-stream", true, "event: message_stop"),
        OLLAMA_CHAT("/api/chat", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                200, "application/x-ndjson", true, "\"done\":true"),
        OLLAMA_GENERATE("/api/generate", "{\"model\":\"gpt-4o-mini\",\"prompt\":\"hi\",\"stream\":false}",
                200, "application/json", true, "\"done\":true"),
        EMBEDDINGS("/v1/embeddings", "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}",
                200, "application/json", true, "\"object\":\"embedding\""),
        OLLAMA_EMBED("/api/embed", "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}",
                200, "application/json", true, "\"embeddings\":[["),
        RESPONSES("/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"store\":false}",
                200, "application/json", true, "\"object\":\"response\""),
        BAD_JSON("/v1/messages", "{not json", 400, "application/json", false, "\"type\":\"invalid_request_error\"");

        final String path;
        final String body;
        final int status;
        final String contentType;
        final boolean routed;
        final String bodyHas;

        Case(String path, String body, int status, String contentType, boolean routed, String bodyHas) {
            this.path = path;
            this.body = body;
            this.status = status;
            this.contentType = contentType;
            this.routed = routed;
            this.bodyHas = bodyHas;
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    NettyFrame frame;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void ready() {
        STACK.awaitReady(port);
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void bothFramesAnswerAlike(Case c) throws Exception {
        long before = frame.taken();
        HttpResponse<String> netty = post(c.path, c.body, STACK.key);
        assertThat(frame.taken()).as("the exact path is the Netty frame's").isEqualTo(before + 1);
        HttpResponse<String> spring = post(c.path + "?frame=spring", c.body, STACK.key);
        assertThat(frame.taken()).as("a query string goes to Spring").isEqualTo(before + 1);

        for (HttpResponse<String> answer : java.util.List.of(netty, spring)) {
            assertThat(answer.statusCode()).as(answer.uri() + " " + answer.body()).isEqualTo(c.status);
            assertThat(answer.headers().firstValue("content-type")).as(answer.uri().toString()).hasValue(c.contentType);
            assertThat(answer.body()).contains(c.bodyHas);
            if (c.routed) {
                assertThat(answer.headers().firstValue("x-llmproxy-provider")).hasValue("p-sim");
                assertThat(answer.headers().firstValue("x-llmproxy-attempts")).hasValue("1");
            } else {
                assertThat(answer.headers().firstValue("x-llmproxy-provider")).isEmpty();
            }
        }
        assertThat(headerNames(netty)).isEqualTo(headerNames(spring));
        assertThat(headers(netty, "x-llmproxy-", "x-ratelimit-", "vary", "cache-control", "retry-after"))
                .isEqualTo(headers(spring, "x-llmproxy-", "x-ratelimit-", "vary", "cache-control", "retry-after"));
        assertThat(normalized(netty.body())).isEqualTo(normalized(spring.body()));
        if (netty.headers().firstValue("content-length").isPresent()) {
            assertThat(netty.headers().firstValue("content-length")).hasValue(Integer.toString(netty.body().getBytes().length));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Case.class, names = {"CHAT", "MESSAGES", "OLLAMA_CHAT", "EMBEDDINGS", "RESPONSES"})
    void aMissingKeyIsRefusedAlikeOnBothFrames(Case c) throws Exception {
        long before = frame.taken();
        HttpResponse<String> netty = post(c.path, c.body, null);
        HttpResponse<String> spring = post(c.path + "?frame=spring", c.body, null);
        assertThat(frame.taken()).isEqualTo(before + 1);

        assertThat(netty.statusCode()).isEqualTo(401);
        assertThat(spring.statusCode()).isEqualTo(401);
        assertThat(netty.body()).isEqualTo(spring.body());
        assertThat(headerNames(netty)).isEqualTo(headerNames(spring));
    }

    /** A request the Netty frame does not answer exactly as Spring would: it goes on to Spring. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"origin", "/v1/chat/complet%69ons", "//v1/chat/completions",
            "/v1/chat/completions/", "/V1/chat/completions", "/v1/chat/completions?stream=false", "put"})
    void requestsTheNettyFrameLeavesGoToSpring(String variant) throws Exception {
        String chat = Case.CHAT.body;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + (variant.startsWith("/") ? variant : "/v1/chat/completions")))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json").header("Authorization", "Bearer " + STACK.key);
        if (variant.equals("origin")) {
            request.header("Origin", "https://not-allowed.example");
        }
        request.method(variant.equals("put") ? "PUT" : "POST", HttpRequest.BodyPublishers.ofString(chat));
        long before = frame.taken();
        HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());

        assertThat(frame.taken()).as(variant).isEqualTo(before);
        assertThat(answer.statusCode()).as(answer.body()).isNotEqualTo(500);
        assertThat(answer.headers().firstValue("content-type")).hasValue("application/json");
        if (variant.equals("origin")) {
            assertThat(answer.statusCode()).isEqualTo(403);
        }
    }

    private HttpResponse<String> post(String path, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key).header("x-api-key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Set<String> headerNames(HttpResponse<String> response) {
        return response.headers().map().keySet().stream().map(name -> name.toLowerCase(Locale.ROOT))
                .filter(name -> !PER_ANSWER.contains(name) && !name.equals(":status"))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    private static Map<String, String> headers(HttpResponse<String> response, String... prefixes) {
        Map<String, String> out = new TreeMap<>();
        response.headers().map().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            for (String prefix : prefixes) {
                if (lower.startsWith(prefix) && !lower.startsWith("x-ratelimit-reset")) {
                    out.put(lower, String.join(",", values));
                }
            }
        });
        return out;
    }

    /** @return the body without the values that differ per answer: ids, creation times, durations */
    static String normalized(String body) {
        return body.replaceAll("\"(id|created|created_at|[a-z_]*duration|item_id)\":(\"[^\"]*\"|\\d+)", "\"$1\":_")
                .replaceAll("(resp|msg|chatcmpl|rs|fc)_[A-Za-z0-9]+", "$1_");
    }
}
