package io.llmproxy.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.support.RawHttp;
import io.llmproxy.edge.support.UsageConsumer;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The edge's request-reading limits over raw sockets (issue #9 part 5, ADR 0014), with the
 * timeouts made small: headers 1 s, body 1 s of silence / 2 s in all, idle 1.5 s, 6 connections.
 * Each case asserts the status and body where one is sent and that the server closes the connection
 * within the bound (the timeout plus {@link #SLACK}). A healthy stream that outlasts every timeout
 * is not cut.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms",
        "llmproxy.edge.server.header-timeout=1s",
        "llmproxy.edge.server.body-read-timeout=1s",
        "llmproxy.edge.server.body-timeout=2s",
        "llmproxy.edge.server.idle-timeout=1500ms",
        "llmproxy.edge.server.max-connections=6"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgeRequestLimitsTest {

    /** What the server may take beyond a timeout to answer and close (timer resolution, a loaded CI box). */
    static final Duration SLACK = Duration.ofSeconds(3);
    static final EdgeTestStack STACK = new EdgeTestStack();
    static UsageConsumer usage;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        STACK.register(registry, "llmproxy_edge_limits_it");
    }

    @LocalServerPort
    int port;
    @Autowired
    EdgeHttpServerCustomizer server;
    @Autowired
    EmbeddedKafkaBroker broker;
    @Autowired
    JsonMapper json;

    @BeforeEach
    void ready() {
        STACK.awaitReady(port);
        synchronized (EdgeRequestLimitsTest.class) {
            if (usage == null) {
                usage = new UsageConsumer(broker.getBrokersAsString(), json);
            }
        }
    }

    @AfterAll
    static void closeConsumer() {
        if (usage != null) {
            usage.close();
            usage = null;
        }
    }

    /**
     * @return the head of a {@code POST} to {@code target} in {@code version} with the test key as a bearer token,
     *         {@code Content-Type: application/json}, {@code Content-Length: length} and the {@code extra} header
     *         lines (each ending in CRLF), through the blank line
     */
    static String postHead(String target, String version, Object length, String extra) {
        return "POST " + target + " " + version + "\r\nHost: edge\r\nAuthorization: Bearer " + STACK.key
                + "\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n" + extra + "\r\n";
    }

    @Test
    void headersNeverFinishedGet408InTheCalledApisFormatAndAClose() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send("POST /v1/messages HTTP/1.1\r\nHost: edge\r\nx-api-key: " + STACK.key + "\r\nContent-Le");
            RawHttp.Response r = c.read(Duration.ofSeconds(1).plus(SLACK));
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.headers()).containsEntry("connection", "close").containsEntry("content-type", "application/json")
                    .doesNotContainKey("server");
            JsonNode body = json.readTree(r.body());
            assertThat(body.path("type").asString()).isEqualTo("error");
            assertThat(body.path("error").path("type").asString()).isEqualTo("invalid_request_error");
            assertThat(body.path("error").path("message").asString()).contains("not received in time");
            assertThat(c.closedWithin(SLACK)).isTrue();
        }
    }

    @Test
    void headersDrippedByteByByteAreCutAtTheHeaderDeadline() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET /api/tags HTTP/1.1\r\nHost: edge\r\n");
            // a slowloris: one header byte every 200 ms keeps any read-idle timer happy, not the deadline
            RawHttp.Response r = null;
            for (int i = 0; i < 40 && r == null; i++) {
                try {
                    c.send("x");
                } catch (java.io.IOException closed) {
                    break;
                }
                try {
                    r = c.read(Duration.ofMillis(200));
                } catch (SocketTimeoutException notYet) {
                    // still open: drip on
                }
            }
            assertThat(r).as("a 408 within 40 drips of 200 ms (header deadline 1 s)").isNotNull();
            assertThat(r.status()).isEqualTo(408);
            assertThat(json.readTree(r.body()).path("error").asString()).contains("not received in time");
            assertThat(c.closedWithin(SLACK)).isTrue();
        }
    }

    /**
     * A client that closes its connection while its body arrives: no answer to write, the call ends as
     * 499 {@code CANCELLED} (not a 500), and nothing is logged as a failure; on both frames
     * ({@link NettyFrame} for the exact path, Spring's routes with a query string).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"/v1/chat/completions, chat.completions", "/v1/messages?frame=spring, messages"})
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void aClientThatLeavesWhileItsBodyArrivesEndsItsCallAsCancelled(String target, String endpoint,
                                                                     org.springframework.boot.test.system.CapturedOutput output) throws Exception {
        java.time.Instant sent = java.time.Instant.now();
        try (RawHttp c = new RawHttp(port)) {
            c.send(postHead(target, "HTTP/1.1", 500, "x-api-key: " + STACK.key + "\r\n") + "{\"model\":\"gpt-4o-mini\",");
            Thread.sleep(300); // authenticated, reading the body
        }
        UsageRecorded event = usage.await(e -> STACK.keyId.equals(e.apiKeyId()) && endpoint.equals(e.endpoint())
                && e.httpStatus() == 499);
        assertThat(event.outcome()).isEqualTo(Outcome.CANCELLED);
        Thread.sleep(200);
        assertThat(output.getAll()).doesNotContain("failed unexpectedly").doesNotContain("NettyFrame");
    }

    /**
     * On both frames ({@link NettyFrame} for the exact path, Spring's routes with a query string): the 408
     * in the API's format, its usage event, and no ERROR line for the timeout Reactor Netty signals again
     * once the answer is sent ({@link DroppedBodyTimeouts}).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/v1/chat/completions", "/v1/chat/completions?frame=spring"})
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void bodyShorterThanContentLengthGets408FromTheHandlerWithItsUsageEvent(String target,
            org.springframework.boot.test.system.CapturedOutput output) throws Exception {
        java.time.Instant sent = java.time.Instant.now();
        try (RawHttp c = new RawHttp(port)) {
            c.send(postHead(target, "HTTP/1.1", 500, "") + "{\"model\":\"gpt-4o-mini\",");
            RawHttp.Response r = c.read(Duration.ofSeconds(1).plus(SLACK));
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.headers()).containsEntry("connection", "close");
            JsonNode error = json.readTree(r.body()).path("error");
            assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
            assertThat(error.path("code").asString()).isEqualTo("request_timeout");
            assertThat(c.closedWithin(SLACK)).isTrue();
        }
        UsageRecorded event = usage.await(e -> STACK.keyId.equals(e.apiKeyId()) && e.httpStatus() == 408
                && !e.occurredAt().isBefore(sent));
        assertThat(event.outcome()).isEqualTo(Outcome.CLIENT_ERROR);
        assertThat(event.endpoint()).isEqualTo("chat.completions");
        assertThat(output.getAll()).doesNotContain("onErrorDropped");
    }

    /**
     * A body whose {@code Content-Length} declares more than the gateway reads (16 MiB) is refused at once
     * with 413 in the called API's format and its usage event, before a byte of it is read: no wait for the
     * body (before, a client that sent none got a 408 after the body deadline), no {@code 100 Continue}
     * when it asked {@code Expect: 100-continue}, and the connection closes after the answer. On both frames
     * and every client format; a length beyond a {@code long} is refused by Netty's decoder (400).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} Content-Length {1} Expect {2}")
    @org.junit.jupiter.params.provider.CsvSource({
            "/v1/chat/completions,              1000000000000, false, 413, chat.completions",
            "/v1/chat/completions?frame=spring, 1000000000000, true,  413, chat.completions",
            "/v1/messages,                      16777217,      true,  413, messages",
            "/v1/messages?frame=spring,         16777217,      false, 413, messages",
            "/v1/responses,                     1000000000000, true,  413, responses",
            "/v1/embeddings?frame=spring,       1000000000000, true,  413, embeddings",
            "/api/chat,                         1000000000000, true,  413, ollama.chat",
            "/api/generate?frame=spring,        16777217,      false, 413, ollama.generate",
            "/api/show,                         1000000000000, true,  413, -",
            "/v1/chat/completions,              99999999999999999999, false, 400, -"})
    void aBodyDeclaredLargerThanTheLimitIsRefusedBeforeItIsRead(String target, String contentLength, boolean expect,
                                                                int status, String endpoint) throws Exception {
        java.time.Instant sent = java.time.Instant.now();
        try (RawHttp c = new RawHttp(port)) {
            c.send(postHead(target, "HTTP/1.1", contentLength, "x-api-key: " + STACK.key + "\r\n"
                    + (expect ? "Expect: 100-continue\r\n" : "")));
            // nothing of the body is sent: the answer cannot wait for it (the body deadline would make it a 408)
            RawHttp.Response r = c.read(SLACK);
            assertThat(r.status()).as(r.body()).isEqualTo(status);
            assertThat(r.headers()).containsEntry("connection", "close").containsEntry("content-type", "application/json");
            JsonNode body = json.readTree(r.body());
            if (status == 413 && target.startsWith("/api/")) {
                assertThat(body.path("error").asString()).contains("larger");
            } else if (status == 413 && target.startsWith("/v1/messages")) {
                assertThat(body.path("type").asString()).isEqualTo("error");
                assertThat(body.path("error").path("type").asString()).isEqualTo("request_too_large");
            } else if (status == 413) {
                assertThat(body.path("error").path("code").asString()).isEqualTo("request_too_large");
            }
            assertThat(c.closedWithin(SLACK)).isTrue();
        }
        if (!endpoint.equals("-")) {
            UsageRecorded event = usage.await(e -> STACK.keyId.equals(e.apiKeyId()) && e.httpStatus() == 413
                    && endpoint.equals(e.endpoint()) && !e.occurredAt().isBefore(sent));
            assertThat(event.outcome()).isEqualTo(Outcome.CLIENT_ERROR);
            assertThat(event.promptTokens()).isZero();
        }
    }

    /**
     * A client still sending the body it declared too large reads its 413 whole: the edge shuts its output
     * and drops what arrives before it closes (a close with unread bytes would reset the connection and
     * could destroy the answer), then closes within its linger.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/v1/chat/completions", "/v1/messages?frame=spring"})
    void a413ReachesAClientStillSendingItsBody(String target) throws Exception {
        // the JDK's client, like many, fails the whole exchange when its upload breaks: a reset would cost the answer
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        byte[] body = new byte[64 << 20];
        java.util.Arrays.fill(body, (byte) 'x');
        for (int i = 0; i < 3; i++) {
            java.net.http.HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + port + target))
                    .header("Authorization", "Bearer " + STACK.key).header("x-api-key", STACK.key)
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(r.headers().firstValue("connection")).hasValue("close");
        }
        // a client that uploads everything before it reads: the edge keeps taking (and dropping) the bytes for
        // its linger, so the upload does not break on a reset, and the answer is there to read afterwards
        try (RawHttp c = new RawHttp(port)) {
            c.send(postHead(target, "HTTP/1.1", 100 << 20, ""));
            String piece = "x".repeat(1 << 20);
            for (int i = 0; i < 100; i++) {
                c.send(piece);
            }
            RawHttp.Response r = c.read(SLACK);
            assertThat(r.status()).isEqualTo(413);
            assertThat(c.closedWithin(Duration.ofNanos(RequestDeadlines.LINGER_NANOS).plus(SLACK))).isTrue();
        }
    }

    /**
     * An error answer rewritten into JSON announces {@code Connection: close} only when the connection closes:
     * a target Netty reads but the server cannot parse ({@code "}, {@code \\}, {@code <}) or an empty actuator
     * 404 leaves the connection in step, open, and the next request is answered; a head Netty cannot parse
     * gets its 400 with {@code Connection: close}, and the connection closes.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/actuator/a\"b", "/v1/chat/completions?x=\"", "/actuator/a\\b", "/actuator/nope"})
    void aRewrittenErrorAnnouncesACloseOnlyWhenTheConnectionCloses(String target) throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET " + target + " HTTP/1.1\r\nHost: edge\r\n\r\n");
            RawHttp.Response refused = c.read(SLACK);
            assertThat(refused.status()).isBetween(400, 404);
            assertThat(refused.headers()).containsEntry("content-type", "application/json").doesNotContainKey("connection");
            c.send("GET /actuator/health HTTP/1.1\r\nHost: edge\r\n\r\n");
            assertThat(c.read(SLACK).status()).isEqualTo(200);
        }
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET /actuator/health HTTP/1.1\r\nHost: edge\r\nBad Header: x\r\n\r\n");
            RawHttp.Response refused = c.read(SLACK);
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.headers()).containsEntry("connection", "close");
            assertThat(c.closedWithin(SLACK)).isTrue();
        }
    }

    /** A body within the limit that asks {@code Expect: 100-continue} still gets its {@code 100 Continue}, then its answer. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/v1/chat/completions", "/v1/chat/completions?frame=spring"})
    void aBodyWithinTheLimitStillGets100ContinueThenItsAnswer(String target) throws Exception {
        String chat = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (RawHttp c = new RawHttp(port)) {
            c.send(postHead(target, "HTTP/1.1", chat.length(), "Expect: 100-continue\r\n"));
            assertThat(c.read(SLACK).status()).isEqualTo(100);
            c.send(chat);
            RawHttp.Response r = c.read(SLACK);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(json.readTree(r.body()).path("object").asString()).isEqualTo("chat.completion");
        }
    }

    @Test
    void chunkedBodyNeverEndedGets408InOllamasFormat() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send("POST /api/chat HTTP/1.1\r\nHost: edge\r\nAuthorization: Bearer " + STACK.key
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"mod\r\n");
            // chunks keep coming, slower than nothing but never ending: the 2 s body deadline still applies
            for (int i = 0; i < 3; i++) {
                Thread.sleep(400);
                c.send("1\r\n \r\n");
            }
            RawHttp.Response r = c.read(Duration.ofSeconds(2).plus(SLACK));
            assertThat(r.status()).isEqualTo(408);
            assertThat(json.readTree(r.body()).path("error").asString()).isEqualTo("The request body was not received in time.");
            assertThat(c.closedWithin(SLACK)).isTrue();
        }
    }

    @Test
    void aBodyStillOwedAfterAnEarlyAnswerClosesTheConnection() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            // no key: the edge answers 401 without reading the body, which never comes
            c.send("POST /v1/messages HTTP/1.1\r\nHost: edge\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
            RawHttp.Response r = c.read(SLACK);
            assertThat(r.status()).isEqualTo(401);
            assertThat(json.readTree(r.body()).path("error").path("type").asString()).isEqualTo("authentication_error");
            assertThat(c.closedWithin(Duration.ofSeconds(1).plus(SLACK))).isTrue();
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedWithoutAnAnswer() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send("GET /api/version HTTP/1.1\r\nHost: edge\r\n\r\n");
            RawHttp.Response r = c.read(SLACK);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers()).doesNotContainKey("connection");
            // then nothing: closed after the 1.5 s idle timeout, with no bytes sent
            assertThat(c.closedWithin(Duration.ofMillis(1500).plus(SLACK))).isTrue();
        }
        try (RawHttp silent = new RawHttp(port)) {
            assertThat(silent.closedWithin(Duration.ofMillis(1500).plus(SLACK))).isTrue();
        }
    }

    @Test
    void aHealthyStreamLongerThanEveryTimeoutIsNotCut() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            String body = "{\"model\":\"slow\",\"stream\":true,\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            c.send(postHead("/v1/chat/completions", "HTTP/1.1", body.length(), "") + body);
            // 4 tokens 1.2 s apart: > 3.6 s in all, each gap longer than the 1 s read timeout
            RawHttp.Response r = c.read(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("data: [DONE]").doesNotContain("\"error\"");
            // the connection is still good for the next request
            c.send("GET /api/version HTTP/1.1\r\nHost: edge\r\n\r\n");
            assertThat(c.read(SLACK).status()).isEqualTo(200);
        }
    }

    /**
     * Answers go out in request order (RFC 9112 §9.3.2): a refusal this edge sends itself for a pipelined
     * request (a framing refusal, a header timeout) waits until the earlier request's answer is written,
     * then closes the connection; it never takes that answer's place or cuts its stream.
     */
    @Test
    void aRefusalOfAPipelinedRequestWaitsForTheAnswerBeforeIt() throws Exception {
        String body = "{\"model\":\"slow\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        String first = postHead("/v1/chat/completions", "HTTP/1.1", body.length(), "") + body;
        Map<String, Integer> refused = Map.of(
                "POST /v1/chat/completions HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501,
                "GET /v1/models%2F HTTP/1.1\r\nHost: edge\r\n\r\n", 400);
        for (Map.Entry<String, Integer> next : refused.entrySet()) {
            try (RawHttp c = new RawHttp(port)) {
                c.send(first + next.getKey());
                RawHttp.Response answer = c.read(Duration.ofSeconds(10));
                assertThat(answer.status()).as(answer.body()).isEqualTo(200);
                assertThat(json.readTree(answer.body()).path("object").asString()).isEqualTo("chat.completion");
                assertThat(c.read(SLACK).status()).isEqualTo(next.getValue());
                assertThat(c.closedWithin(SLACK)).isTrue();
            }
        }
        String stream = body.replace("\"max_tokens\":2", "\"stream\":true,\"max_tokens\":3");
        try (RawHttp c = new RawHttp(port)) {
            // a stream of ~3.6 s, and the head of a next request that never ends (1 s header deadline)
            c.send(first.replace(body, stream).replace("Content-Length: " + body.length(), "Content-Length: " + stream.length()));
            Thread.sleep(300); // in a read of its own: its header deadline starts there
            c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: ed");
            RawHttp.Response answer = c.read(Duration.ofSeconds(10));
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).contains("data: [DONE]").doesNotContain("request_timeout");
            assertThat(c.read(SLACK).status()).isEqualTo(408);
            assertThat(c.closedWithin(SLACK)).isTrue();
        }
    }

    /**
     * What an answer depends on (HTTP/1.0: no chunked coding) follows the request it answers, not the
     * pipelined one read meanwhile: an HTTP/1.1 stream followed by an HTTP/1.0 request stays chunked, keeps
     * the connection, and the HTTP/1.0 request gets its own answer after it.
     */
    @Test
    void anHttp10RequestPipelinedBehindAStreamDoesNotChangeTheStreamsFraming() throws Exception {
        String stream = "{\"model\":\"slow\",\"stream\":true,\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (RawHttp c = new RawHttp(port)) {
            c.send(postHead("/v1/chat/completions", "HTTP/1.1", stream.length(), "") + stream
                    // keep-alive: a pipelined request without it makes Reactor Netty close after the answer before it
                    + "GET /actuator/health HTTP/1.0\r\nHost: edge\r\nConnection: keep-alive\r\n\r\n");
            RawHttp.Response answer = c.read(Duration.ofSeconds(10));
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.headers()).containsEntry("transfer-encoding", "chunked").doesNotContainEntry("connection", "close");
            assertThat(answer.body()).endsWith("data: [DONE]\n\n");
            RawHttp.Response health = c.read(SLACK);
            assertThat(health.status()).isEqualTo(200);
            assertThat(json.readTree(health.body()).path("status").asString()).isEqualTo("UP");
        }
    }

    /**
     * An HTTP/1.0 client cannot read chunked: a stream is sent without {@code Transfer-Encoding} and ends
     * when the connection closes, on both frames; an HTTP/1.1 stream stays chunked.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/v1/chat/completions", "/v1/chat/completions?frame=spring"})
    void aStreamToAnHttp10ClientEndsWithTheConnectionNotInChunks(String target) throws Exception {
        String body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (RawHttp c = new RawHttp(port)) {
            c.send(postHead(target, "HTTP/1.0", body.length(), "") + body);
            RawHttp.Response r = c.read(Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers()).doesNotContainKey("transfer-encoding").doesNotContainKey("content-length")
                    .containsEntry("connection", "close");
            assertThat(r.body()).startsWith("data: {").contains("\"chat.completion.chunk\"").endsWith("data: [DONE]\n\n");
        }
        try (RawHttp c = new RawHttp(port)) {
            c.send(postHead(target, "HTTP/1.1", body.length(), "") + body);
            RawHttp.Response r = c.read(Duration.ofSeconds(10));
            assertThat(r.headers()).containsEntry("transfer-encoding", "chunked");
            assertThat(r.body()).endsWith("data: [DONE]\n\n");
        }
    }

    @Test
    void connectionsBeyondTheLimitGet503AndAreClosed() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                held.add(new RawHttp(port));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 6);
            try (RawHttp over = new RawHttp(port)) {
                over.send("GET /v1/models HTTP/1.1\r\nHost: edge\r\nAuthorization: Bearer " + STACK.key + "\r\n\r\n");
                RawHttp.Response r = over.read(SLACK);
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.headers()).containsEntry("retry-after", "1").containsEntry("connection", "close");
                assertThat(json.readTree(r.body()).path("error").path("code").asString()).isEqualTo("too_many_connections");
                assertThat(over.closedWithin(SLACK)).isTrue();
            }
            held.remove(0).close();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 5);
            try (RawHttp within = new RawHttp(port)) {
                within.send("GET /api/version HTTP/1.1\r\nHost: edge\r\n\r\n");
                assertThat(within.read(SLACK).status()).isEqualTo(200);
            }
        } finally {
            for (RawHttp c : held) {
                c.close();
            }
        }
    }
}
