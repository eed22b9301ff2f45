package io.llmproxy.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.support.UsageConsumer;
import io.llmproxy.kernel.usage.UsageRecorded;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
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
 * CORS at the edge for the admin console's playground (issue #13, {@link EdgeCors}), against the
 * real edge (PostgreSQL read model, Redis, embedded Kafka, the simulator as provider): one table of
 * preflights and actual requests with and without {@code Origin}, and preflights that are no calls.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms",
        "llmproxy.edge.cors.allowed-origins=" + EdgeCorsTest.CONSOLE + ", " + EdgeCorsTest.CONSOLE_2})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgeCorsTest {

    static final String CONSOLE = "http://localhost:3000";
    static final String CONSOLE_2 = "http://console.example:8443";
    static final String OTHER = "http://evil.example";
    static final String CHAT_BODY = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]%s}";
    static final EdgeTestStack STACK = new EdgeTestStack();
    static UsageConsumer usage;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        STACK.register(registry, "llmproxy_edge_cors_it");
    }

    enum Auth { KEY, WRONG_KEY, NONE }

    /**
     * One request and what must come back.
     *
     * @param method         HTTP method ({@code OPTIONS} with {@code requestMethod} = a preflight)
     * @param origin         the {@code Origin} header, or null
     * @param requestMethod  {@code Access-Control-Request-Method}, or null
     * @param requestHeaders {@code Access-Control-Request-Headers}, or null
     * @param body           the JSON body of a POST, or null
     * @param status         expected status
     * @param allowOrigin    expected {@code Access-Control-Allow-Origin}, or null for none
     * @param errorCode      expected OpenAI {@code error.code} of a JSON error, or null
     */
    record Case(String name, String method, String path, String origin, String requestMethod, String requestHeaders,
                Auth auth, String body, int status, String allowOrigin, String errorCode) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> table() {
        String chat = EdgeCors.CHAT;
        String ok = CHAT_BODY.formatted("gpt-4o-mini", "");
        return Stream.of(
                new Case("preflight POST chat, console origin", "OPTIONS", chat, CONSOLE, "POST", "authorization,content-type",
                        Auth.NONE, null, 200, CONSOLE, null),
                new Case("preflight POST chat, second console origin", "OPTIONS", chat, CONSOLE_2, "POST", "content-type,authorization",
                        Auth.NONE, null, 200, CONSOLE_2, null),
                new Case("preflight GET models, console origin", "OPTIONS", EdgeCors.MODELS, CONSOLE, "GET", "authorization",
                        Auth.NONE, null, 200, CONSOLE, null),
                new Case("preflight POST chat, other origin", "OPTIONS", chat, OTHER, "POST", "authorization,content-type",
                        Auth.NONE, null, 403, null, "invalid_request"),
                new Case("preflight DELETE chat, console origin", "OPTIONS", chat, CONSOLE, "DELETE", null,
                        Auth.NONE, null, 403, null, "invalid_request"),
                new Case("preflight with x-api-key, console origin", "OPTIONS", chat, CONSOLE, "POST", "x-api-key",
                        Auth.NONE, null, 403, null, "invalid_request"),
                new Case("POST chat, console origin", "POST", chat, CONSOLE, null, null, Auth.KEY, ok, 200, CONSOLE, null),
                new Case("POST chat streamed, console origin", "POST", chat, CONSOLE, null, null, Auth.KEY,
                        CHAT_BODY.formatted("gpt-4o-mini", ",\"stream\":true"), 200, CONSOLE, null),
                new Case("GET models, console origin", "GET", EdgeCors.MODELS, CONSOLE, null, null, Auth.KEY, null, 200, CONSOLE, null),
                new Case("POST chat wrong key, console origin: 401", "POST", chat, CONSOLE, null, null, Auth.WRONG_KEY, ok,
                        401, CONSOLE, "invalid_api_key"),
                new Case("POST chat unknown model, console origin: 404", "POST", chat, CONSOLE, null, null, Auth.KEY,
                        CHAT_BODY.formatted("no-such-model", ""), 404, CONSOLE, "model_not_found"),
                new Case("GET chat, console origin: 404", "GET", chat, CONSOLE, null, null, Auth.KEY, null,
                        404, CONSOLE, "unknown_url"),
                new Case("POST chat, other origin", "POST", chat, OTHER, null, null, Auth.KEY, ok, 403, null, "invalid_request"),
                // origins that only look like the console's: refused, like any other
                refusedPreflight("preflight, Origin null (sandboxed frame, file:)", "null", "POST", "authorization"),
                refusedPreflight("preflight, console origin as a subdomain prefix", CONSOLE + ".evil.example", "POST", "authorization"),
                refusedPreflight("preflight, console host over https", "https://localhost:3000", "POST", "authorization"),
                refusedPreflight("preflight, console host on another port", "http://localhost:3001", "POST", "authorization"),
                refusedPreflight("preflight, console host without port", "http://localhost", "POST", "authorization"),
                refusedPreflight("preflight, userinfo before the console host", "http://evil@localhost:3000", "POST", "authorization"),
                refusedPreflight("preflight, console origin with a path", CONSOLE + "/x", "POST", "authorization"),
                refusedPreflight("preflight, two origins in one header", CONSOLE + ", " + OTHER, "POST", "authorization"),
                refusedPreflight("preflight, malformed origin", "http://[::1", "POST", "authorization"),
                refusedPreflight("preflight asking Cookie only, console origin", CONSOLE, "POST", "cookie"),
                refusedPreflight("preflight asking a tenant header only, console origin", CONSOLE, "POST", "x-llmproxy-tenant"),
                refusedPreflight("preflight PUT, console origin", CONSOLE, "PUT", null),
                refusedPreflight("preflight PATCH, console origin", CONSOLE, "PATCH", "authorization"),
                new Case("POST chat, Origin null", "POST", chat, "null", null, null, Auth.KEY, ok, 403, null, "invalid_request"),
                new Case("GET models, console origin as a subdomain prefix", "GET", EdgeCors.MODELS, CONSOLE + ".evil.example", null,
                        null, Auth.KEY, null, 403, null, "invalid_request"),
                new Case("POST chat, console host over https", "POST", chat, "https://localhost:3000", null, null, Auth.KEY, ok,
                        403, null, "invalid_request"),
                new Case("POST chat, no Origin", "POST", chat, null, null, null, Auth.KEY, ok, 200, null, null),
                new Case("GET models, no Origin", "GET", EdgeCors.MODELS, null, null, null, Auth.KEY, null, 200, null, null));
    }

    /** A preflight on the chat path that must be refused: 403, an OpenAI error, no {@code Access-Control-Allow-*}. */
    static Case refusedPreflight(String name, String origin, String method, String headers) {
        return new Case(name, "OPTIONS", EdgeCors.CHAT, origin, method, headers, Auth.NONE, null, 403, null, "invalid_request");
    }

    @LocalServerPort
    int port;
    @Autowired
    EmbeddedKafkaBroker broker;
    @Autowired
    JsonMapper json;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void ready() {
        STACK.awaitReady(port);
        synchronized (EdgeCorsTest.class) {
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void corsFollowsTheTable(Case c) throws Exception {
        HttpResponse<String> response = send(c);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(c.status());
        assertThat(response.headers().firstValue("access-control-allow-origin")).isEqualTo(java.util.Optional.ofNullable(c.allowOrigin()));
        assertThat(response.headers().firstValue("access-control-allow-credentials")).isEmpty();
        // every answer on a CORS path, refusals included, varies by Origin: no cache hands one origin's answer to another
        assertThat(response.headers().allValues("vary")).as("Vary").anySatisfy(v -> assertThat(v).containsIgnoringCase("Origin"));
        boolean preflightAllowed = "OPTIONS".equals(c.method()) && c.status() == 200;
        if (preflightAllowed) {
            assertThat(response.headers().firstValue("access-control-allow-methods")).hasValue("GET,POST,OPTIONS");
            // the headers asked, in the order asked
            assertThat(response.headers().firstValue("access-control-allow-headers"))
                    .hasValue(String.join(", ", c.requestHeaders().split(",")));
            assertThat(response.headers().firstValue("access-control-max-age")).hasValue("600");
            assertThat(response.body()).isEmpty();
        } else if (c.allowOrigin() != null) {
            assertThat(response.headers().firstValue("access-control-expose-headers"))
                    .hasValue("Retry-After, x-llmproxy-provider, x-llmproxy-model, x-llmproxy-attempts");
        }
        if (c.errorCode() != null) {
            assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
            JsonNode error = json.readTree(response.body()).path("error");
            assertThat(error.path("code").asString()).isEqualTo(c.errorCode());
            assertThat(error.path("message").asString()).isNotEmpty();
        } else if (c.status() == 200 && c.body() != null) {
            assertThat(response.body()).contains("\"chat.completion" + (c.body().contains("stream") ? ".chunk\"" : "\""));
        } else if (c.status() == 200 && "GET".equals(c.method())) {
            assertThat(json.readTree(response.body()).path("data").toString()).contains("\"gpt-4o-mini\"");
        }
    }

    /**
     * A preflight asking an allowed header and others (Spring's {@code CorsConfiguration#checkHeaders}):
     * 200 allowing only the allowed one, so the browser, which needs every header it asked, refuses.
     */
    @ParameterizedTest(name = "{0} → {1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "authorization,cookie                 | authorization",
            "authorization,x-llmproxy-tenant      | authorization",
            "content-type,x-api-key,authorization | content-type, authorization"})
    void aPreflightAskingMoreHeadersIsGrantedOnlyTheAllowedOnes(String asked, String granted) throws Exception {
        HttpResponse<String> response = send(new Case(asked, "OPTIONS", EdgeCors.CHAT, CONSOLE, "POST", asked, Auth.NONE, null,
                200, CONSOLE, null));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue(CONSOLE);
        assertThat(response.headers().firstValue("access-control-allow-headers")).hasValue(granted);
        assertThat(response.headers().firstValue("access-control-allow-credentials")).isEmpty();
    }

    @Test
    void preflightsAreNoCallsAndHaveNoUsageEvent() throws Exception {
        // two calls on the route "slow" (no other test uses it) around three preflights; usage events
        // leave the edge in order (one journal, one partition), so a preflight's event would sit between
        Case call = new Case("call", "POST", EdgeCors.CHAT, CONSOLE, null, null, Auth.KEY, CHAT_BODY.formatted("slow", ""),
                200, CONSOLE, null);
        Case preflight = table().filter(c -> c.name().equals("preflight POST chat, console origin")).findFirst().orElseThrow();
        assertThat(send(call).statusCode()).isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(send(preflight).statusCode()).isEqualTo(200);
        }
        assertThat(send(call).statusCode()).isEqualTo(200);

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> mine().stream().filter(e -> "slow".equals(e.model())).count() == 2);
        List<UsageRecorded> mine = mine();
        int first = -1;
        int second = -1;
        for (int i = 0; i < mine.size(); i++) {
            if ("slow".equals(mine.get(i).model())) {
                if (first < 0) {
                    first = i;
                } else {
                    second = i;
                }
            }
        }
        assertThat(second - first).as("no usage event between the two calls: " + mine).isEqualTo(1);
        assertThat(mine.get(second).endpoint()).isEqualTo("chat.completions");
        assertThat(mine.get(second).httpStatus()).isEqualTo(200);
    }

    private static List<UsageRecorded> mine() {
        return usage.events().stream().filter(e -> STACK.keyId.equals(e.apiKeyId())).toList();
    }

    private HttpResponse<String> send(Case c) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + c.path()))
                .timeout(Duration.ofSeconds(20))
                .method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(c.body()));
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        if (c.origin() != null) {
            headers.put("Origin", c.origin());
        }
        if (c.requestMethod() != null) {
            headers.put("Access-Control-Request-Method", c.requestMethod());
        }
        if (c.requestHeaders() != null) {
            headers.put("Access-Control-Request-Headers", c.requestHeaders());
        }
        if (c.body() != null) {
            headers.put("Content-Type", "application/json");
        }
        switch (c.auth()) {
            case KEY -> headers.put("Authorization", "Bearer " + STACK.key);
            case WRONG_KEY -> headers.put("Authorization", "Bearer sk-llmp-not-a-key-0000000000000000");
            case NONE -> { }
        }
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
