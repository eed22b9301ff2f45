package io.llmproxy.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.support.RawHttp;
import io.llmproxy.kernel.usage.UsageRecorded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
 * The edge's non-public paths and its protocol-level errors (issue #9 parts 1 and 5), over raw
 * sockets so that every byte of the request target reaches the server as written.
 * <ul>
 *   <li>Only {@code /actuator/health/**} and {@code /actuator/info} are public besides the gateway
 *       API; every other actuator path, in every variant (percent-encoded letters in either case,
 *       {@code ;x=1} path parameters, doubled slashes, dot segments, trailing slashes, encoded slashes
 *       and dots), is never 2xx and answers JSON.</li>
 *   <li>The gateway API in the same variants without a key: never 2xx (no provider is reached), JSON
 *       in one of the three API formats, a 401 always in the endpoint's own format.</li>
 *   <li>What Netty's codec refuses (bad request line, URI too long, headers too large) answers JSON
 *       in the called API's format, with no {@code Server} header.</li>
 * </ul>
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgePathsAndProtocolErrorsTest {

    static final EdgeTestStack STACK = new EdgeTestStack();
    static final Duration WAIT = Duration.ofSeconds(10);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        STACK.register(registry, "llmproxy_edge_paths_it");
    }

    /** Actuator endpoints that exist in Spring Boot and must not be reachable on the public port. */
    static final List<String> NON_PUBLIC = List.of("/actuator", "/actuator/metrics", "/actuator/metrics/jvm.memory.used",
            "/actuator/prometheus", "/actuator/env", "/actuator/beans", "/actuator/configprops", "/actuator/heapdump",
            "/actuator/threaddump", "/actuator/loggers", "/actuator/mappings", "/actuator/conditions",
            "/actuator/scheduledtasks", "/actuator/caches", "/actuator/startup", "/actuator/shutdown", "/actuator/sbom",
            "/actuator/healthz", "/actuator/livez", "/actuator/readyz", "/livez", "/readyz");

    /** The gateway API: method, path, and which API's format a 401 is in. */
    enum Gateway {
        CHAT("POST", "/v1/chat/completions", ClientApi.OPENAI),
        EMBEDDINGS("POST", "/v1/embeddings", ClientApi.OPENAI),
        MODELS("GET", "/v1/models", ClientApi.OPENAI),
        MESSAGES("POST", "/v1/messages", ClientApi.ANTHROPIC),
        OLLAMA_CHAT("POST", "/api/chat", ClientApi.OLLAMA),
        OLLAMA_GENERATE("POST", "/api/generate", ClientApi.OLLAMA),
        OLLAMA_EMBED("POST", "/api/embed", ClientApi.OLLAMA),
        OLLAMA_SHOW("POST", "/api/show", ClientApi.OLLAMA),
        OLLAMA_TAGS("GET", "/api/tags", ClientApi.OLLAMA);

        final String method;
        final String path;
        final ClientApi api;

        Gateway(String method, String path, ClientApi api) {
            this.method = method;
            this.path = path;
            this.api = api;
        }
    }

    /** @return the path variants of {@code path} (a path of at least two segments) */
    static Set<String> variants(String path) {
        String[] segments = path.substring(1).split("/");
        String last = segments[segments.length - 1];
        String head = path.substring(0, path.length() - last.length());
        String hex = Integer.toHexString(last.charAt(0));
        Set<String> out = new LinkedHashSet<>();
        out.add(path);
        out.add(head + "%" + hex.toLowerCase() + last.substring(1));
        out.add(head + "%" + hex.toUpperCase() + last.substring(1));
        out.add("/%" + Integer.toHexString(path.charAt(1)).toUpperCase() + path.substring(2));
        out.add(path.replace("/", ";x=1/").substring(4) + ";x=1");
        out.add(path + ";x=1");
        out.add(head.substring(0, head.length() - 1) + ";jsessionid=1/" + last);
        out.add(path.replace("/", "//"));
        out.add("/" + path);
        out.add(head + "./" + last);
        out.add(head + "x/../" + last);
        out.add("/x/.." + path);
        out.add(head + "%2e/" + last);
        out.add(head + "x/%2E%2E/" + last);
        out.add(head + "x/%2e%2e/" + last);
        out.add(path + "/");
        out.add(path + "//");
        out.add(path + "/.");
        out.add(head.substring(0, head.length() - 1) + "%2F" + last);
        out.add(head.substring(0, head.length() - 1) + "%2f" + last);
        out.add(path.replace("/", "%2F"));
        out.add(path + "%2F");
        out.add(path + "?x=1");
        out.add(path + "#frag");
        return out;
    }

    static Stream<Arguments> actuatorVariants() {
        List<Arguments> rows = new ArrayList<>();
        for (String path : NON_PUBLIC) {
            for (String variant : variants(path.equals("/actuator") ? "/actuator/" : path)) {
                rows.add(Arguments.of("GET", variant));
            }
            rows.add(Arguments.of("POST", path));
        }
        // paths under the public ones that must not open the others
        for (String sneak : List.of("/actuator/health/../metrics", "/actuator/health/%2e%2e/env", "/actuator/info/../beans",
                "/actuator/health;x=1/../../actuator/env", "/actuator/health/..%2Fmetrics", "/actuator/info%2F..%2Fenv")) {
            rows.add(Arguments.of("GET", sneak));
        }
        return rows.stream();
    }

    static Stream<Arguments> gatewayVariants() {
        List<Arguments> rows = new ArrayList<>();
        for (Gateway endpoint : Gateway.values()) {
            for (String variant : variants(endpoint.path)) {
                rows.add(Arguments.of(endpoint, variant));
            }
        }
        return rows.stream();
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;

    @BeforeEach
    void ready() {
        STACK.awaitReady(port);
    }

    RawHttp.Response send(String method, String target, String extraHeaders, String body) throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send(method + " " + target + " HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n" + extraHeaders
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n")
                    + "\r\n" + (body == null ? "" : body));
            return c.read(WAIT);
        }
    }

    @Test
    void healthAndInfoArePublic() throws Exception {
        RawHttp.Response health = send("GET", "/actuator/health", "", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(json.readTree(health.body()).path("status").asString()).isEqualTo("UP");
        assertThat(send("GET", "/actuator/info", "", null).status()).isEqualTo(200);
        assertThat(health.headers()).doesNotContainKey("server");
        // the Kubernetes probes (infra/k8s): open like /actuator/health, nothing but a status
        for (String probe : List.of("/actuator/health/liveness", "/actuator/health/readiness")) {
            RawHttp.Response r = send("GET", probe, "", null);
            assertThat(r.status()).as(probe).isEqualTo(200);
            assertThat(r.body()).as(probe).isEqualTo("{\"status\":\"UP\"}");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("actuatorVariants")
    void nonPublicActuatorPathsAreNeverServed(String method, String target) throws Exception {
        RawHttp.Response r = send(method, target, "", method.equals("POST") ? "{}" : null);
        assertThat(r.status()).as(target + " → " + r.body()).isBetween(400, 499);
        assertThat(r.headers().get("content-type")).startsWith("application/json");
        JsonNode body = json.readTree(r.body());
        assertThat(body.has("error")).as(r.body()).isTrue();
        // nothing of what these endpoints would show: metric values, links, properties, beans
        assertThat(r.body()).doesNotContain("\"measurements\"", "\"_links\"", "\"propertySources\"", "\"contexts\"");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("gatewayVariants")
    void gatewayPathsWithoutAKeyAreNeverServed(Gateway endpoint, String target) throws Exception {
        String body = endpoint.method.equals("POST")
                ? "{\"model\":\"gpt-4o-mini\",\"max_tokens\":5,\"input\":\"hi\",\"prompt\":\"hi\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                : null;
        RawHttp.Response r = send(endpoint.method, target, "", body);
        assertThat(r.status()).as(target + " → " + r.body()).isIn(400, 401, 404, 405);
        assertThat(r.headers().get("content-type")).startsWith("application/json");
        JsonNode json = this.json.readTree(r.body());
        ClientApi format = formatOf(json);
        assertThat(format).as(r.body()).isNotNull();
        if (r.status() == 401) {
            assertThat(format).as("a 401 on %s answers in the endpoint's format: %s", target, r.body()).isEqualTo(endpoint.api);
        }
    }

    /** @return which API's error format {@code body} is in, or null for none of them */
    static ClientApi formatOf(JsonNode body) {
        JsonNode error = body.path("error");
        if ("error".equals(body.path("type").asString(null)) && error.path("type").isString() && error.path("message").isString()) {
            return ClientApi.ANTHROPIC;
        }
        if (error.isString() && body.size() == 1) {
            return ClientApi.OLLAMA;
        }
        if (error.path("message").isString() && error.path("type").isString() && error.has("code") && body.size() == 1) {
            return ClientApi.OPENAI;
        }
        return null;
    }

    static Stream<Arguments> protocolErrors() {
        String longTarget = "x".repeat(5000);
        String bigHeader = "X-Big: " + "y".repeat(9000) + "\r\n";
        return Stream.of(
                Arguments.of("GET /v1/models HTTP/x\r\nHost: edge\r\n\r\n", 400, ClientApi.OPENAI),
                Arguments.of("GET /v1/models%2Fx HTTP/1.1\r\nHost: edge\r\n\r\n", 400, ClientApi.OPENAI),
                Arguments.of("POST /v1/messages/x%5cy HTTP/1.1\r\nHost: edge\r\n\r\n", 400, ClientApi.ANTHROPIC),
                Arguments.of("GET /api/tags HTTP/1.1\r\nHost: edge\r\nNo colon here\r\n\r\n", 400, ClientApi.OLLAMA),
                Arguments.of("POST /v1/messages HTTP/1.1\r\nHost: edge\r\nContent-Length: abc\r\n\r\n", 400, ClientApi.ANTHROPIC),
                Arguments.of("POST /api/chat HTTP/1.1\r\nHost: edge\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400,
                        ClientApi.OLLAMA),
                // Transfer-Encoding other than chunked alone (RFC 9112 §6.1; TransferCodings)
                Arguments.of("POST /v1/chat/completions HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}",
                        400, ClientApi.OPENAI),
                Arguments.of("POST /v1/messages HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400,
                        ClientApi.ANTHROPIC),
                Arguments.of("POST /api/chat HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        400, ClientApi.OLLAMA),
                Arguments.of("POST /v1/embeddings HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: ,\r\nContent-Length: 2\r\n\r\n{}", 400,
                        ClientApi.OPENAI),
                Arguments.of("POST /v1/responses HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: identity\r\n\r\n", 400, ClientApi.OPENAI),
                Arguments.of("POST /v1/chat/completions HTTP/1.0\r\nHost: edge\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
                        ClientApi.OPENAI),
                Arguments.of("POST /api/generate HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501,
                        ClientApi.OLLAMA),
                // versions other than 1.0 and 1.1, and HTTP/1.1 without exactly one Host (RFC 9112 §3.2)
                Arguments.of("POST /v1/chat/completions HTTP/2.5\r\nHost: edge\r\nContent-Length: 2\r\n\r\n{}", 505,
                        ClientApi.OPENAI),
                Arguments.of("GET /api/tags HTTP/1.2\r\nHost: edge\r\n\r\n", 505, ClientApi.OLLAMA),
                Arguments.of("POST /v1/messages HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 400, ClientApi.ANTHROPIC),
                Arguments.of("POST /v1/chat/completions HTTP/1.1\r\nHost: edge\r\nHost: other\r\nContent-Length: 2\r\n\r\n{}",
                        400, ClientApi.OPENAI),
                Arguments.of("GET /api/tags HTTP/1.1\r\nHost: edge\r\nHost: edge\r\n\r\n", 400, ClientApi.OLLAMA),
                Arguments.of("GET /api/" + longTarget + " HTTP/1.1\r\nHost: edge\r\n\r\n", 414, ClientApi.OLLAMA),
                Arguments.of("GET /v1/" + longTarget + " HTTP/1.1\r\nHost: edge\r\n\r\n", 414, ClientApi.OPENAI),
                Arguments.of("POST /v1/messages HTTP/1.1\r\nHost: edge\r\n" + bigHeader + "\r\n", 431, ClientApi.ANTHROPIC),
                Arguments.of("GET /api/tags HTTP/1.1\r\nHost: edge\r\n" + bigHeader + "\r\n", 431, ClientApi.OLLAMA));
    }

    @ParameterizedTest(name = "{1} {2}")
    @MethodSource("protocolErrors")
    void whatTheCodecRefusesIsAnsweredInJson(String request, int status, ClientApi api) throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send(request);
            RawHttp.Response r = c.read(WAIT);
            assertThat(r.status()).as(r.body()).isEqualTo(status);
            assertThat(r.headers()).containsEntry("content-type", "application/json").containsEntry("connection", "close")
                    .doesNotContainKey("server");
            assertThat(formatOf(json.readTree(r.body()))).as(r.body()).isEqualTo(api);
            assertThat(r.body()).doesNotContainIgnoringCase("netty").doesNotContainIgnoringCase("reactor");
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
    }

    /** HTTP/1.0 needs no Host (RFC 9112 §3.2 binds HTTP/1.1): such a call reaches its handler (401 without a key). */
    @Test
    void anHttp10RequestWithoutHostIsServed() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send("POST /v1/chat/completions HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
            RawHttp.Response r = c.read(WAIT);
            assertThat(r.status()).as(r.body()).isEqualTo(401);
            assertThat(formatOf(json.readTree(r.body()))).isEqualTo(ClientApi.OPENAI);
        }
    }

    /**
     * A body framed by a transfer coding Netty would ignore cannot smuggle a second request: the first is
     * refused and the connection closed, so the bytes after its head are never read as a request. Chunked
     * alone, in any letter case, is still read (the call reaches its handler: 401 without a key).
     */
    @Test
    void aBodyFramedByAnIgnoredCodingCannotCarryASecondRequest() throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: gzip\r\n\r\n"
                    + "GET /v1/models HTTP/1.1\r\nHost: edge\r\n\r\n");
            RawHttp.Response r = c.read(WAIT);
            assertThat(r.status()).isEqualTo(400);
            assertThat(json.readTree(r.body()).path("error").path("code").asString()).isEqualTo("invalid_transfer_encoding");
            assertThat(c.closedWithin(WAIT)).as("no second response").isTrue();
        }
        for (String coding : List.of("chunked", "Chunked", " CHUNKED ")) {
            try (RawHttp c = new RawHttp(port)) {
                c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: edge\r\nContent-Type: application/json\r\nTransfer-Encoding:"
                        + coding + "\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
                RawHttp.Response r = c.read(WAIT);
                assertThat(r.status()).as(coding).isEqualTo(401);
                assertThat(formatOf(json.readTree(r.body()))).isEqualTo(ClientApi.OPENAI);
            }
        }
    }
}
