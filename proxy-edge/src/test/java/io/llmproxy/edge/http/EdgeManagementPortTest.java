package io.llmproxy.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.kernel.usage.UsageRecorded;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With the actuator on its own port ({@code management.server.port}, as {@code up.sh --prometheus}
 * and the Kubernetes manifests run the edge), the client APIs answer on the application port only
 * ({@link ApplicationPort}): Spring Boot hands the management server the application's router
 * functions and route providers, and the gateway used to answer there too.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.edge.snapshot-poll-interval=100ms",
        "management.server.port=0",
        // the strategy under which ServerRequest.localAddress() follows X-Forwarded-Port, Forwarded: host=...
        "server.forward-headers-strategy=native"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgeManagementPortTest {

    static final EdgeTestStack STACK = new EdgeTestStack();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        STACK.register(registry, "llmproxy_edge_mgmt_port_it");
    }

    @LocalServerPort
    int port;
    @LocalManagementPort
    int managementPort;
    @Autowired
    NettyFrame frame;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void ready() {
        STACK.awaitReady(port);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "POST, /v1/chat/completions", "POST, /v1/chat/completions?x=1", "GET, /v1/models", "POST, /v1/messages",
            "POST, /v1/embeddings", "POST, /v1/responses", "GET, /v1/responses/resp_1", "POST, /api/chat",
            "POST, /api/generate", "POST, /api/embed", "GET, /api/tags", "POST, /api/show", "GET, /api/version"})
    void theClientApisDoNotAnswerOnTheManagementPort(String method, String path) throws Exception {
        long taken = frame.taken();
        HttpResponse<String> answer = send(managementPort, method, path);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(404);
        assertThat(answer.body()).doesNotContain("gpt-4o-mini").doesNotContain("chat.completion");
        assertThat(frame.taken()).isEqualTo(taken);
    }

    @Test
    void theApplicationPortServesThemAndTheManagementPortItsActuator() throws Exception {
        long taken = frame.taken();
        HttpResponse<String> chat = send(port, "POST", "/v1/chat/completions");
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        assertThat(chat.body()).contains("\"object\":\"chat.completion\"");
        assertThat(frame.taken()).isEqualTo(taken + 1);

        HttpResponse<String> models = send(port, "GET", "/v1/models");
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(models.body()).contains("\"gpt-4o-mini\"");

        HttpResponse<String> health = send(managementPort, "GET", "/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
    }

    /**
     * Forwarded headers a client can send name another port ({@code server.forward-headers-strategy=native}):
     * the rule reads the connection's own port, so they neither open the client APIs on the management
     * port nor close them on the application port.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"X-Forwarded-Port|%d", "X-Forwarded-Host|api.example.com:%d", "Forwarded|host=\"api.example.com:%d\""})
    void forwardedHeadersDoNotMoveTheClientApis(String header, String value) throws Exception {
        for (String path : java.util.List.of("/v1/models", "/v1/chat/completions?x=1")) {
            String method = path.startsWith("/v1/models") ? "GET" : "POST";
            HttpResponse<String> onManagement = send(managementPort, method, path, header, value.formatted(port));
            assertThat(onManagement.statusCode()).as(header + " " + path).isEqualTo(404);
            HttpResponse<String> onApplication = send(port, method, path, header, value.formatted(443));
            assertThat(onApplication.statusCode()).as(header + " " + path + " " + onApplication.body()).isEqualTo(200);
        }
    }

    private HttpResponse<String> send(int to, String method, String path) throws Exception {
        return send(to, method, path, null, null);
    }

    private HttpResponse<String> send(int to, String method, String path, String header, String value) throws Exception {
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"input\":\"hi\",\"prompt\":\"hi\"}";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to + path))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + STACK.key).header("x-api-key", STACK.key)
                .header("Content-Type", "application/json");
        if (header != null) {
            request.header(header, value);
        }
        request.method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
