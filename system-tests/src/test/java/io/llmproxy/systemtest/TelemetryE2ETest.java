package io.llmproxy.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.systemtest.OtlpReceiver.ReceivedSpan;
import io.llmproxy.testsupport.LocalPostgres;
import io.llmproxy.testsupport.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue #12 end to end, with the built applications as processes exporting OTLP to an in-process
 * receiver at 100 % sampling: a call through each client format (OpenAI chat, streamed and not;
 * Anthropic messages; Ollama chat) is one SERVER span named {@code chat <model>} whose GenAI attributes
 * carry the tokens the client saw, with one CLIENT span per upstream attempt; the client's
 * {@code traceparent} is honoured; the query-side's usage consumer span is in the same trace; admin
 * commands and Axon's event handling are traced; every log line of every service is JSON (ECS) and the
 * edge's call lines carry the trace id.
 */
class TelemetryE2ETest {

    static final String ADMIN_TOKEN = "e2e-telemetry-admin-token";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static OtlpReceiver otlp;
    static TestKafka kafka;
    static LocalStack stack;
    static int commandPort;
    static int queryPort;
    static int edgePort;
    static int simulatorPort;
    static String key;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startEverything() throws Exception {
        for (String service : List.of("telemetry-command-side", "telemetry-query-side", "telemetry-edge")) {
            Files.deleteIfExists(Path.of("target", "e2e-logs", service + ".log")); // appended to by LocalStack
        }
        otlp = new OtlpReceiver();
        kafka = TestKafka.start(1, UsageRecorded.TOPIC);
        byte[] master = new byte[32];
        new SecureRandom().nextBytes(master);
        Map<String, String> env = new HashMap<>(Map.of(
                "LLMPROXY_DB_URL", LocalPostgres.freshDatabase("llmproxy_e2e_telemetry"),
                "LLMPROXY_DB_USER", LocalPostgres.user(),
                "LLMPROXY_DB_PASSWORD", LocalPostgres.password(),
                "LLMPROXY_KAFKA_BOOTSTRAP", kafka.bootstrap(),
                "LLMPROXY_ADMIN_TOKEN", ADMIN_TOKEN,
                "LLMPROXY_SECRET_KEY", Base64.getEncoder().encodeToString(master),
                "LLMPROXY_TRACING_SAMPLING", "1.0",
                "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT", otlp.endpoint(),
                "LLMPROXY_EDGE_CALL_LOG", "true"));
        stack = new LocalStack();
        simulatorPort = LocalStack.freePort();
        commandPort = LocalStack.freePort();
        queryPort = LocalStack.freePort();
        edgePort = LocalStack.freePort();
        stack.start("upstream-simulator", "infra/upstream-simulator", simulatorPort, env);
        stack.start("telemetry-command-side", "command-side", commandPort, env);
        stack.start("telemetry-query-side", "query-side", queryPort, env);
        stack.start("telemetry-edge", "proxy-edge", edgePort, env);
    }

    @AfterAll
    static void stopEverything() {
        if (stack != null) {
            stack.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (otlp != null) {
            otlp.close();
        }
    }

    HttpResponse<String> admin(String method, int port, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).uri(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    String created(HttpResponse<String> response, String field) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body()).get(field).asString();
    }

    HttpResponse<String> edge(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).uri(URI.create("http://127.0.0.1:" + edgePort + path))
                .header("Authorization", "Bearer " + key).header("x-api-key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Sends one call with a fresh client trace and returns the edge's SERVER span of it, once all spans arrived. */
    ReceivedSpan tracedCall(String path, String body, long inputTokens, long outputTokens) throws Exception {
        String traceId = randomHex(16);
        String clientSpan = randomHex(8);
        HttpResponse<String> r = edge(path, body, Map.of("traceparent", "00-" + traceId + "-" + clientSpan + "-01"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        // each service exports in its own batches: wait for the consumer's span and the edge's two
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<ReceivedSpan> spans = otlp.trace(traceId);
            return spans.stream().anyMatch(s -> s.name().equals("process " + UsageRecorded.TOPIC))
                    && spans.stream().anyMatch(s -> "proxy-edge".equals(s.service()) && s.kind() == 2)
                    && spans.stream().anyMatch(s -> "proxy-edge".equals(s.service()) && s.kind() == 3);
        });
        List<ReceivedSpan> trace = otlp.trace(traceId);
        ReceivedSpan server = one(trace, s -> "proxy-edge".equals(s.service()) && s.kind() == 2);
        assertThat(server.parentSpanId()).isEqualTo(clientSpan);
        assertThat(server.name()).isEqualTo("chat gpt-4o-mini");
        assertThat(server.attributes()).containsEntry("gen_ai.operation.name", "chat")
                .containsEntry("gen_ai.provider.name", "openai")
                .containsEntry("gen_ai.request.model", "gpt-4o-mini")
                .containsEntry("gen_ai.response.model", "sim-gpt-4o-mini")
                .containsEntry("gen_ai.usage.input_tokens", Long.toString(inputTokens))
                .containsEntry("gen_ai.usage.output_tokens", Long.toString(outputTokens))
                .containsEntry("http.response.status_code", "200")
                .containsEntry("llmproxy.attempts", "1")
                .containsKey("llmproxy.tenant.id")
                .doesNotContainKey("error.type");
        ReceivedSpan attempt = one(trace, s -> s.kind() == 3 && s.parentSpanId().equals(server.spanId()));
        assertThat(attempt.name()).isEqualTo("chat sim-gpt-4o-mini");
        assertThat(attempt.attributes()).containsEntry("server.address", "127.0.0.1")
                .containsEntry("server.port", Integer.toString(simulatorPort))
                .containsEntry("gen_ai.provider.name", "openai")
                .containsEntry("http.response.status_code", "200");
        ReceivedSpan consumer = one(trace, s -> s.name().equals("process " + UsageRecorded.TOPIC));
        assertThat(consumer.service()).isEqualTo("query-side");
        assertThat(consumer.kind()).isEqualTo(5);
        assertThat(consumer.parentSpanId()).isEqualTo(server.spanId());
        assertThat(consumer.attributes()).containsEntry("messaging.system", "kafka")
                .containsEntry("messaging.destination.name", UsageRecorded.TOPIC);
        // never a credential, a key or text in any attribute of the trace
        for (ReceivedSpan s : trace) {
            assertThat(s.attributes().values()).noneMatch(v -> v.contains(key) || v.contains("sk-sim-secret")
                    || v.contains("Say hi"));
        }
        return server;
    }

    static ReceivedSpan one(List<ReceivedSpan> spans, java.util.function.Predicate<ReceivedSpan> which) {
        List<ReceivedSpan> found = spans.stream().filter(which).toList();
        assertThat(found).as("spans: %s", spans).hasSize(1);
        return found.get(0);
    }

    @Test
    void everyClientFormatIsOneTraceFromTheClientToTheBillingConsumer() throws Exception {
        String providerId = created(admin("POST", commandPort, "/admin/v1/providers",
                "{\"name\":\"sim\",\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:" + simulatorPort
                        + "/v1\",\"apiKey\":\"sk-sim-secret\"}"), "providerId");
        assertThat(admin("PUT", commandPort, "/admin/v1/routes/gpt-4o-mini",
                "{\"targets\":[{\"providerId\":\"" + providerId + "\",\"model\":\"sim-gpt-4o-mini\"}]}").statusCode()).isEqualTo(204);
        String tenant = created(admin("POST", commandPort, "/admin/v1/tenants", "{\"name\":\"telemetry\"}"), "tenantId");
        key = created(admin("POST", commandPort, "/admin/v1/tenants/" + tenant + "/api-keys", "{\"name\":\"k\"}"), "key");
        // the key and the route both reach the edge's snapshot: admin-read-model runs several segments, which
        // commit independently, so the key (a later event) can be in the read model before the route
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edgePort + "/v1/models"))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
            return models.statusCode() == 200 && models.body().contains("\"id\":\"gpt-4o-mini\"");
        });

        // OpenAI chat.completions, not streamed: the span's tokens are the ones the client saw
        String chat = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":64,\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}";
        HttpResponse<String> plain = edge("/v1/chat/completions", chat, Map.of());
        JsonNode usage = JSON.readTree(plain.body()).get("usage");
        ReceivedSpan whole = tracedCall("/v1/chat/completions", chat, usage.get("prompt_tokens").asLong(),
                usage.get("completion_tokens").asLong());
        assertThat(whole.attributes()).containsEntry("gen_ai.request.max_tokens", "64")
                .containsEntry("gen_ai.request.temperature", "0.5")
                .containsEntry("gen_ai.request.stream", "false")
                .containsEntry("llmproxy.client.endpoint", "chat.completions")
                .containsEntry("gen_ai.response.finish_reasons", "stop")
                .containsKey("gen_ai.response.id");
        System.out.println("[e2e-telemetry] one non-streamed chat.completions call, span by span:");
        for (ReceivedSpan s : otlp.trace(whole.traceId())) {
            System.out.printf("  %-12s %-28s kind=%d span=%s parent=%s %s%n", s.service(), s.name(), s.kind(), s.spanId(),
                    s.parentSpanId(), s.attributes());
        }

        // streamed: the same tokens
        String streamed = chat.replace("{\"model\"", "{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"model\"");
        ReceivedSpan stream = tracedCall("/v1/chat/completions", streamed, usage.get("prompt_tokens").asLong(),
                usage.get("completion_tokens").asLong());
        assertThat(stream.attributes()).containsEntry("gen_ai.request.stream", "true");

        // Anthropic messages and Ollama chat: the same call, the same trace shape
        String messages = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}";
        assertThat(tracedCall("/v1/messages", messages, usage.get("prompt_tokens").asLong(), usage.get("completion_tokens").asLong())
                .attributes()).containsEntry("llmproxy.client.endpoint", "messages");
        String ollama = "{\"model\":\"gpt-4o-mini\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}";
        assertThat(tracedCall("/api/chat", ollama, usage.get("prompt_tokens").asLong(), usage.get("completion_tokens").asLong())
                .attributes()).containsEntry("llmproxy.client.endpoint", "ollama.chat");
        // the same calls streamed, and the OpenAI Responses format both ways: one trace each, same tokens
        long in = usage.get("prompt_tokens").asLong();
        long out = usage.get("completion_tokens").asLong();
        assertThat(tracedCall("/v1/messages", messages.replace("{\"model\"", "{\"stream\":true,\"model\""), in, out)
                .attributes()).containsEntry("llmproxy.client.endpoint", "messages").containsEntry("gen_ai.request.stream", "true");
        assertThat(tracedCall("/api/chat", ollama.replace("\"stream\":false", "\"stream\":true"), in, out)
                .attributes()).containsEntry("llmproxy.client.endpoint", "ollama.chat").containsEntry("gen_ai.request.stream", "true");
        String responses = "{\"model\":\"gpt-4o-mini\",\"store\":false,\"input\":\"Say hi\"}";
        assertThat(tracedCall("/v1/responses", responses, in, out).attributes())
                .containsEntry("llmproxy.client.endpoint", "responses").containsEntry("gen_ai.request.stream", "false");
        assertThat(tracedCall("/v1/responses", responses.replace("{\"model\"", "{\"stream\":true,\"model\""), in, out)
                .attributes()).containsEntry("llmproxy.client.endpoint", "responses").containsEntry("gen_ai.request.stream", "true");

        // admin commands: command-side's request and Axon's command handling are spans of one trace
        await().atMost(Duration.ofSeconds(20)).until(() -> otlp.spans().stream().anyMatch(s ->
                "command-side".equals(s.service()) && s.name().contains("CreateTenant")));
        ReceivedSpan command = otlp.spans().stream().filter(s -> "command-side".equals(s.service())
                && s.name().contains("CreateTenant")).findFirst().orElseThrow();
        assertThat(otlp.trace(command.traceId())).anyMatch(s -> "command-side".equals(s.service()) && s.kind() == 2);
        // the projections' event processors (query-side) continue it, parented on the event's publication
        await().atMost(Duration.ofSeconds(20)).until(() -> otlp.trace(command.traceId()).stream().anyMatch(s ->
                "query-side".equals(s.service()) && s.name().equals("StreamingEventProcessor.process(TenantCreated)")));
        ReceivedSpan published = one(otlp.trace(command.traceId()), s -> s.name().equals("EventBus.publishEvent(TenantCreated)"));
        assertThat(otlp.trace(command.traceId())).filteredOn(s -> "query-side".equals(s.service())
                && s.name().equals("StreamingEventProcessor.process(TenantCreated)"))
                .isNotEmpty().allMatch(s -> s.parentSpanId().equals(published.spanId()));
        System.out.println("[e2e-telemetry] POST /admin/v1/tenants, span by span:");
        for (ReceivedSpan s : otlp.trace(command.traceId())) {
            System.out.printf("  %-12s %-60s kind=%d span=%s parent=%s%n", s.service(), s.name(), s.kind(), s.spanId(), s.parentSpanId());
        }

        // logs: every line of every service is one JSON object; the edge's call lines carry the trace id
        for (String service : List.of("telemetry-command-side", "telemetry-query-side", "telemetry-edge")) {
            List<String> lines = Files.readAllLines(Path.of("target", "e2e-logs", service + ".log")).stream()
                    .filter(l -> !l.isBlank()).toList();
            assertThat(lines).as(service).hasSizeGreaterThan(5);
            for (String line : lines) {
                JsonNode json = JSON.readTree(line);
                assertThat(json.has("@timestamp") && text(json, "log.level") != null && json.has("message")).as(service + ": " + line).isTrue();
                assertThat(line).doesNotContain(key).doesNotContain("sk-sim-secret").doesNotContain("Say hi");
            }
        }
        List<JsonNode> callLines = Files.readAllLines(Path.of("target", "e2e-logs", "telemetry-edge.log")).stream()
                .filter(l -> l.contains("io.llmproxy.edge.calls")).map(JSON::readTree).toList();
        assertThat(callLines).anyMatch(l -> whole.traceId().equals(text(l, "trace.id")) && whole.spanId().equals(text(l, "span.id")));
    }

    /** @return a field of an ECS line, whether written flat ({@code "trace.id"}) or nested ({@code trace: {id}}) */
    static String text(JsonNode line, String dotted) {
        if (line.has(dotted)) {
            return line.get(dotted).asString();
        }
        JsonNode node = line;
        for (String part : dotted.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node == null ? null : node.asString();
    }
}
