package io.llmproxy.edge.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
import io.llmproxy.edge.support.ToolCallUpstream;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.FreePorts;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue #14/#16, durable answers ({@code llmproxy.edge.usage-buffer-durable-answers}, on by default):
 * by the time a client has read the whole answer, its call's usage event is in the edge's journal
 * (written: {@code usage-buffer-answers-wait-for=write}, the default; {@link UsagePublisherDurableTest} covers
 * the sync and both receipts). Kafka is unreachable here, so the sender never drains the journal and each answer must add
 * exactly its own event to it; the writer's linger is 10 minutes, which an answer must not wait for
 * (with {@code llmproxy.edge.usage-buffer-durable-answers=false} every row fails). One row per kind of answer the edge gives after publishing a usage
 * event: a whole chat answer, the streams of each client format (their last event waits), embeddings,
 * an upstream error, a stream the provider cut (its error ending waits) and a refusal. Against
 * PostgreSQL, Redis, the upstream simulator and a recorded upstream; BlockHound runs (the wait never
 * blocks an event loop).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.edge.snapshot-poll-interval=100ms",
        // an event nobody waits for would sit in memory for 10 minutes: with durable answers off, every row fails
        "llmproxy.edge.usage-buffer-linger=10m",
        "spring.kafka.producer.properties.max.block.ms=500"})
class EdgeDurableAnswersTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static final String KEY = ApiKeys.generate();
    static final String TENANT = "tenant-durable-" + UUID.randomUUID();
    static final Path BUFFER = Path.of("target", "usage-buffer", "durable-" + UUID.randomUUID());

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        String url = ReadModelDatabase.create("llmproxy_edge_durable_answers_it");
        JdbcTemplate db = ReadModelDatabase.jdbc(url);
        SecretCipher cipher = new SecretCipher(SECRET);
        Timestamp t0 = Timestamp.from(Instant.parse("2026-12-05T10:00:00Z"));
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'durable', ?, 1)", TENANT, t0);
        db.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES ('kd', ?, 'durable', ?, ?, 'ACTIVE', ?, 2)", TENANT, ApiKeys.hash(KEY), ApiKeys.displayPrefix(KEY), t0);
        db.update("INSERT INTO rm_provider VALUES ('p-sim', 'sim', 'openai', ?, ?, ?, 3)",
                "http://127.0.0.1:" + SimulatorServer.port() + "/v1", cipher.encrypt("sk-sim-secret"), t0);
        db.update("INSERT INTO rm_provider VALUES ('p-tools', 'recorded', 'openai', ?, ?, ?, 4)",
                "http://127.0.0.1:" + ToolCallUpstream.port() + "/v1", cipher.encrypt("sk-tools-secret"), t0);
        String route = "INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES (?, ?, ?::jsonb, ?, ?)";
        db.update(route, "gpt-4o-mini", "gpt-4o-mini", "[{\"providerId\":\"p-sim\",\"model\":\"sim-gpt-4o-mini\"}]", t0, 5);
        db.update(route, "embed", "embed", "[{\"providerId\":\"p-sim\",\"model\":\"sim-embed\"}]", t0, 6);
        db.update(route, "broken", "broken", "[{\"providerId\":\"p-sim\",\"model\":\"sim-error-500\"}]", t0, 7);
        db.update(route, "cut", "cut", "[{\"providerId\":\"p-tools\",\"model\":\"cut-model\"}]", t0, 8);
        int nobody = FreePorts.next();
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> SECRET);
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + nobody);
        registry.add("llmproxy.edge.usage-buffer-dir", BUFFER::toString);
    }

    static final String CHAT = "{\"model\":\"%s\",\"max_tokens\":5,\"stream\":%s,\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"say something durable\"}]}";

    /**
     * @param key     the key the call is made with
     * @param status  the client's status, and the usage event's
     * @param end     what the body's last piece (the part that waits for the event) holds; it ends the body
     */
    enum Answer {
        OPENAI_CHAT("/v1/chat/completions", KEY, CHAT.formatted("gpt-4o-mini", false), 200,
                "\"object\":\"chat.completion\"", "chat.completions", Outcome.SUCCESS, false),
        OPENAI_STREAM("/v1/chat/completions", KEY, CHAT.formatted("gpt-4o-mini", true), 200, "data: [DONE]\n\n",
                "chat.completions", Outcome.SUCCESS, true),
        ANTHROPIC_STREAM("/v1/messages", KEY, "{\"model\":\"gpt-4o-mini\",\"max_tokens\":5,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"say something durable\"}]}", 200,
                "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", "messages", Outcome.SUCCESS, true),
        OLLAMA_STREAM("/api/chat", KEY, "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"say something durable\"}]}", 200, "\"done\":true,\"done_reason\":\"stop\",", "ollama.chat", Outcome.SUCCESS, true),
        RESPONSES_STREAM("/v1/responses", KEY, "{\"model\":\"gpt-4o-mini\",\"input\":\"say something durable\","
                + "\"stream\":true,\"store\":false}", 200, "event: response.completed\n", "responses", Outcome.SUCCESS, true),
        EMBEDDINGS("/v1/embeddings", KEY, "{\"model\":\"embed\",\"input\":\"say something durable\"}", 200, "\"object\":\"list\"",
                "embeddings", Outcome.SUCCESS, false),
        UPSTREAM_ERROR("/v1/chat/completions", KEY, CHAT.formatted("broken", false), 502, "sim failed (HTTP 500)",
                "chat.completions", Outcome.UPSTREAM_ERROR, false),
        STREAM_CUT_BY_THE_PROVIDER("/v1/chat/completions", KEY, CHAT.formatted("cut", true), 200,
                "recorded ended the stream before it was complete",
                "chat.completions", Outcome.UPSTREAM_ERROR, true),
        UNKNOWN_KEY("/v1/chat/completions", ApiKeys.generate(), CHAT.formatted("gpt-4o-mini", false), 401, "\"code\":\"invalid_api_key\"",
                "chat.completions", Outcome.CLIENT_ERROR, false);

        final String path;
        final String key;
        final String body;
        final int status;
        final String end;
        final String endpoint;
        final Outcome outcome;
        final boolean stream;

        Answer(String path, String key, String body, int status, String end, String endpoint, Outcome outcome, boolean stream) {
            this.path = path;
            this.key = key;
            this.body = body;
            this.status = status;
            this.end = end;
            this.endpoint = endpoint;
            this.outcome = outcome;
            this.stream = stream;
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    UsagePublisher publisher;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @ParameterizedTest
    @EnumSource(Answer.class)
    void theUsageEventIsSyncedBeforeTheClientHasTheWholeAnswer(Answer answer) throws Exception {
        awaitReady();
        List<UsageRecorded> before = publisher.journaled(10_000);

        // ofString: send returns once the whole body (the stream's end, then end of the response) arrived
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + answer.path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + answer.key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(answer.body)).build(),
                HttpResponse.BodyHandlers.ofString());
        List<UsageRecorded> after = publisher.journaled(10_000);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(answer.status);
        assertThat(lastPiece(response.body())).contains(answer.end);
        assertThat(after).hasSize(before.size() + 1);
        UsageRecorded event = after.get(after.size() - 1);
        assertThat(event.endpoint()).isEqualTo(answer.endpoint);
        assertThat(event.httpStatus()).isEqualTo(answer.status == 200 && answer.outcome != Outcome.SUCCESS ? 502 : answer.status);
        assertThat(event.outcome()).isEqualTo(answer.outcome);
        assertThat(event.stream()).isEqualTo(answer.stream);
        assertThat(event.tenantId()).isEqualTo(answer.key.equals(KEY) ? TENANT : null);
        // Kafka is unreachable: nothing left the journal, and nothing was rejected
        assertThat(publisher.bufferedEvents()).isEqualTo(after.size());
    }

    /** @return a whole body, or the last event (SSE) or line (NDJSON) of a stream */
    static String lastPiece(String body) {
        if (!body.endsWith("\n")) {
            return body;
        }
        String separator = body.endsWith("\n\n") ? "\n\n" : "\n";
        int previous = body.lastIndexOf(separator, body.length() - separator.length() - 1);
        return previous < 0 ? body : body.substring(previous + separator.length());
    }

    private void awaitReady() {
        await().atMost(Duration.ofSeconds(20)).until(() -> http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/models")).header("Authorization", "Bearer " + KEY).build(),
                HttpResponse.BodyHandlers.ofString()).body().contains("\"cut\""));
    }
}
