package io.llmproxy.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.kernel.usage.UsageRecorded;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every media-type oddity on every POST endpoint of the edge (issue #9 part 5): a clean 400/415 in
 * the called API's format, never a 500; JSON with no, a UTF-8 or another known charset is read
 * (the body then names a model no route has, so the call ends in the API's 404 without reaching a
 * provider — proof that the body was read, in the right charset). Every row runs on both frames
 * (issue #16): the exact path on {@link NettyFrame}, the path with a query string on Spring's routes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgeMediaTypesTest {

    static final EdgeTestStack STACK = new EdgeTestStack();
    /** a model name no route has, with a non-ASCII letter to check the charset the body was read in */
    static final String MODEL = "modèle-inconnu";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        STACK.register(registry, "llmproxy_edge_media_it");
    }

    enum Endpoint {
        CHAT("/v1/chat/completions", ClientApi.OPENAI, "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        EMBEDDINGS("/v1/embeddings", ClientApi.OPENAI, "{\"model\":\"%s\",\"input\":\"hi\"}"),
        MESSAGES("/v1/messages", ClientApi.ANTHROPIC,
                "{\"model\":\"%s\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        OLLAMA_CHAT("/api/chat", ClientApi.OLLAMA, "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        OLLAMA_GENERATE("/api/generate", ClientApi.OLLAMA, "{\"model\":\"%s\",\"prompt\":\"hi\"}"),
        OLLAMA_EMBED("/api/embed", ClientApi.OLLAMA, "{\"model\":\"%s\",\"input\":\"hi\"}"),
        OLLAMA_SHOW("/api/show", ClientApi.OLLAMA, "{\"model\":\"%s\"}");

        final String path;
        final ClientApi api;
        final String body;

        Endpoint(String path, ClientApi api, String body) {
            this.path = path;
            this.api = api;
            this.body = body;
        }
    }

    /**
     * @param contentType the header, or null for none
     * @param status      the expected status: 404 = read (unknown model), else the refusal
     * @param code        the OpenAI error code of a refusal (null for 404)
     */
    record Case(String contentType, Charset charset, int status, String code) {
        @Override
        public String toString() {
            return contentType == null ? "(no Content-Type)" : contentType;
        }
    }

    static final List<Case> ACCEPTED = List.of(
            new Case(null, StandardCharsets.UTF_8, 404, null),
            new Case("application/json", StandardCharsets.UTF_8, 404, null),
            new Case("application/json; charset=utf-8", StandardCharsets.UTF_8, 404, null),
            new Case("Application/JSON;Charset=\"UTF-8\"", StandardCharsets.UTF_8, 404, null),
            new Case("application/json; charset=ISO-8859-1", StandardCharsets.ISO_8859_1, 404, null),
            new Case("application/json; charset=utf-16", StandardCharsets.UTF_16, 404, null),
            new Case("application/vnd.llm+json", StandardCharsets.UTF_8, 404, null),
            // Spring's media type parser skips a parameter without '=': read like application/json
            new Case("application/json; x", StandardCharsets.UTF_8, 404, null));

    static final List<Case> REFUSED = List.of(
            new Case("application/json; charset=bogus", StandardCharsets.UTF_8, 415, "unsupported_media_type"),
            new Case("application/json; charset=\"no-such-charset-42\"", StandardCharsets.UTF_8, 415, "unsupported_media_type"),
            new Case("*/*", StandardCharsets.UTF_8, 415, "unsupported_media_type"),
            new Case("application/*", StandardCharsets.UTF_8, 415, "unsupported_media_type"),
            new Case("text/plain", StandardCharsets.UTF_8, 415, "unsupported_media_type"),
            new Case("text/plain; charset=utf-8", StandardCharsets.UTF_8, 415, "unsupported_media_type"),
            new Case("multipart/form-data; boundary=xyz", StandardCharsets.UTF_8, 415, "unsupported_media_type"),
            new Case("application/xml", StandardCharsets.UTF_8, 415, "unsupported_media_type"),
            new Case("application/octet-stream", StandardCharsets.UTF_8, 415, "unsupported_media_type"),
            new Case("application/json;charset=", StandardCharsets.UTF_8, 400, "invalid_content_type"),
            new Case("application/json; charset=\"\"", StandardCharsets.UTF_8, 400, "invalid_content_type"),
            new Case("application/json; charset=utf-8; charset=bogus", StandardCharsets.UTF_8, 400, "invalid_content_type"),
            new Case("application", StandardCharsets.UTF_8, 400, "invalid_content_type"),
            new Case("json", StandardCharsets.UTF_8, 400, "invalid_content_type"),
            new Case("application/", StandardCharsets.UTF_8, 400, "invalid_content_type"),
            new Case("/json", StandardCharsets.UTF_8, 400, "invalid_content_type"),
            new Case("application/json; =x", StandardCharsets.UTF_8, 400, "invalid_content_type"),
            new Case("application/json; x=\"unterminated", StandardCharsets.UTF_8, 400, "invalid_content_type"),
            new Case("application/j son", StandardCharsets.UTF_8, 400, "invalid_content_type"));

    /** curl -d's default: refused on the OpenAI and Anthropic APIs, read on Ollama's (its own docs use it). */
    static final Case FORM = new Case("application/x-www-form-urlencoded", StandardCharsets.UTF_8, 415, "unsupported_media_type");

    /** Which frame serves the request: {@link NettyFrame} takes the exact path, a query string sends it to Spring. */
    enum Frame {
        NETTY(""), SPRING("?frame=spring");

        final String query;

        Frame(String query) {
            this.query = query;
        }
    }

    static Stream<Arguments> table() {
        List<Arguments> rows = new ArrayList<>();
        for (Frame frame : Frame.values()) {
            for (Endpoint endpoint : Endpoint.values()) {
                for (Case c : ACCEPTED) {
                    rows.add(Arguments.of(frame, endpoint, c));
                }
                for (Case c : REFUSED) {
                    rows.add(Arguments.of(frame, endpoint, c));
                }
                rows.add(Arguments.of(frame, endpoint,
                        endpoint.api == ClientApi.OLLAMA ? new Case(FORM.contentType(), StandardCharsets.UTF_8, 404, null) : FORM));
            }
        }
        return rows.stream();
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void ready() {
        STACK.awaitReady(port);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("table")
    void everyMediaTypeIsReadOrRefusedInTheApisFormat(Frame frame, Endpoint endpoint, Case c) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + endpoint.path + frame.query))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + STACK.key).header("x-api-key", STACK.key)
                .POST(HttpRequest.BodyPublishers.ofByteArray(endpoint.body.formatted(MODEL).getBytes(c.charset())));
        if (c.contentType() != null) {
            request.header("Content-Type", c.contentType());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(c.status());
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = json.readTree(response.body());
        String message = switch (endpoint.api) {
            case OPENAI -> {
                if (c.code() != null) {
                    assertThat(body.path("error").path("code").asString()).isEqualTo(c.code());
                }
                assertThat(body.path("error").path("type").asString()).isEqualTo("invalid_request_error");
                yield body.path("error").path("message").asString();
            }
            case ANTHROPIC -> {
                assertThat(body.path("type").asString()).isEqualTo("error");
                assertThat(body.path("error").path("type").asString()).isEqualTo(c.status() == 404 ? "not_found_error" : "invalid_request_error");
                yield body.path("error").path("message").asString();
            }
            case OLLAMA -> {
                assertThat(body.path("error").isString()).as(response.body()).isTrue();
                yield body.path("error").asString();
            }
        };
        if (c.status() == 404) {
            assertThat(message).contains(MODEL);
        } else {
            assertThat(message).containsAnyOf("Content-Type", "charset");
        }
    }
}
