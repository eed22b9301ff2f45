package io.llmproxy.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue #5 end to end, with the built applications as processes: the Kafka broker stops while the
 * edge serves calls of two tenants; the edge then crashes (SIGKILL) with those usage events in its
 * disk buffer and is started again on the same directory; the broker comes back. Every call is
 * billed once by the query-side's usage consumer (its database, by event id), the topic holds each
 * event exactly once, and each tenant's events are in the order the edge answered the calls.
 */
class UsageDeliveryE2ETest {

    static final String ADMIN_TOKEN = "e2e-usage-admin-token";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static EmbeddedKafkaKraftBroker kafka;
    static LocalStack stack;
    static Map<String, String> edgeEnv;
    static int commandPort;
    static int queryPort;
    static int edgePort;
    static int simulatorPort;
    static Path buffer;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startEverything() throws Exception {
        kafka = new EmbeddedKafkaKraftBroker(1, 3, UsageRecorded.TOPIC);
        kafka.afterPropertiesSet();
        String dbUrl = LocalPostgres.freshDatabase("llmproxy_e2e_usage");
        byte[] master = new byte[32];
        new java.security.SecureRandom().nextBytes(master);
        Map<String, String> env = Map.of(
                "LLMPROXY_DB_URL", dbUrl,
                "LLMPROXY_DB_USER", LocalPostgres.user(),
                "LLMPROXY_DB_PASSWORD", LocalPostgres.password(),
                "LLMPROXY_KAFKA_BOOTSTRAP", kafka.getBrokersAsString(),
                "LLMPROXY_ADMIN_TOKEN", ADMIN_TOKEN,
                "LLMPROXY_SECRET_KEY", Base64.getEncoder().encodeToString(master));
        buffer = Path.of("target", "e2e-usage-buffer", "delivery-edge-" + java.util.UUID.randomUUID()).toAbsolutePath();
        edgeEnv = new HashMap<>(env);
        edgeEnv.put("LLMPROXY_USAGE_BUFFER_DIR", buffer.toString());
        edgeEnv.put("LLMPROXY_ACTUATOR_EXPOSE", "health,info,metrics");
        stack = new LocalStack();
        simulatorPort = LocalStack.freePort();
        commandPort = LocalStack.freePort();
        queryPort = LocalStack.freePort();
        edgePort = LocalStack.freePort();
        stack.start("upstream-simulator", "infra/upstream-simulator", simulatorPort, env);
        stack.start("command-side", "command-side", commandPort, env);
        stack.start("query-side", "query-side", queryPort, env);
        stack.start("delivery-edge", "proxy-edge", edgePort, edgeEnv);
    }

    @AfterAll
    static void stopEverything() {
        if (stack != null) {
            stack.close();
        }
        if (kafka != null) {
            kafka.destroy();
        }
    }

    HttpResponse<String> admin(String method, int port, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).uri(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body());
    }

    HttpResponse<String> edge(String method, String path, String key, String body) throws Exception {
        return http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).uri(URI.create("http://127.0.0.1:" + edgePort + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    double edgeMetric(String name) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder().timeout(Duration.ofSeconds(10))
                .uri(URI.create("http://127.0.0.1:" + edgePort + "/actuator/metrics/" + name)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("measurements").get(0).get("value").asDouble();
    }

    long billedRequests(String tenantId) throws Exception {
        String path = "/finance/v1/usage?tenantId=" + tenantId + "&from=" + Instant.now().minusSeconds(3600) + "&to="
                + Instant.now().plusSeconds(3600) + "&groupBy=model";
        HttpResponse<String> r = admin("GET", queryPort, path, null);
        long total = 0;
        for (JsonNode item : JSON.readTree(r.body()).get("items")) {
            total += item.get("requests").asLong();
        }
        return total;
    }

    @Test
    void kafkaDownThenTheEdgeCrashesWithEventsInItsBufferAndRestartsEveryCallIsBilledOnce() throws Exception {
        String providerId = created(admin("POST", commandPort, "/admin/v1/providers",
                "{\"name\":\"sim\",\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:" + simulatorPort + "/v1\",\"apiKey\":\"sk-sim\"}"))
                .get("providerId").asString();
        assertThat(admin("PUT", commandPort, "/admin/v1/routes/gpt-4o-mini",
                "{\"targets\":[{\"providerId\":\"" + providerId + "\",\"model\":\"sim-gpt-4o-mini\"}]}").statusCode()).isEqualTo(204);
        String[] tenants = new String[2];
        String[] keys = new String[2];
        for (int t = 0; t < 2; t++) {
            tenants[t] = created(admin("POST", commandPort, "/admin/v1/tenants", "{\"name\":\"usage-" + t + "\"}")).get("tenantId").asString();
            keys[t] = created(admin("POST", commandPort, "/admin/v1/tenants/" + tenants[t] + "/api-keys", "{\"name\":\"k\"}"))
                    .get("key").asString();
        }
        // the keys and the route reach the edge's snapshot (GET /v1/models is not billed); admin-read-model runs
        // several segments, which commit independently, so a key can be in the read model before the route
        for (String key : keys) {
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
                var models = edge("GET", "/v1/models", key, null);
                return models.statusCode() == 200 && models.body().contains("\"id\":\"gpt-4o-mini\"");
            });
        }

        Map<String, List<Long>> sent = Map.of(tenants[0], new ArrayList<>(), tenants[1], new ArrayList<>());
        int calls = 0;
        // 1. Kafka up
        for (int i = 1; i <= 4; i++) {
            call(i, tenants, keys, sent);
            calls++;
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> billedRequests(tenants[0]) == 2 && billedRequests(tenants[1]) == 2);

        // 2. the broker stops; the edge answers every call and keeps the events on disk
        kafka.getCluster().brokers().values().forEach(b -> b.shutdown());
        for (int i = 5; i <= 24; i++) {
            call(i, tenants, keys, sent);
            calls++;
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> edgeMetric("llmproxy.usage.buffer.events") == 20);
        Thread.sleep(500); // the journal thread's batch is synced within milliseconds of the last call
        double bytes = edgeMetric("llmproxy.usage.buffer.bytes");

        // 3. the edge crashes (SIGKILL, no shutdown hook) and starts again on the same buffer directory
        stack.kill("delivery-edge");
        try (Stream<Path> files = Files.list(buffer)) {
            assertThat(files.filter(f -> f.toString().endsWith(".seg")).mapToLong(f -> f.toFile().length()).sum())
                    .isGreaterThanOrEqualTo((long) bytes).isPositive();
        }
        stack.start("delivery-edge", "proxy-edge", edgePort, edgeEnv);
        assertThat(edgeMetric("llmproxy.usage.buffer.events")).isEqualTo(20);
        assertThat(edgeMetric("llmproxy.usage.buffer.bytes")).isEqualTo(bytes);

        // 4. the broker comes back: the restarted edge delivers what the crashed one buffered
        kafka.getCluster().brokers().values().forEach(b -> b.startup());
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(120)).until(() -> edgeMetric("llmproxy.usage.buffer.events") == 0);
        System.out.printf("[e2e-usage] 20 events buffered by a crashed edge delivered by its successor %d ms after Kafka returned "
                + "(%.0f bytes on disk)%n", (System.nanoTime() - t0) / 1_000_000, bytes);
        await().atMost(Duration.ofSeconds(30)).until(() -> billedRequests(tenants[0]) == 12 && billedRequests(tenants[1]) == 12);

        // the topic: each event exactly once, each tenant in call order
        // (the topic also holds the 401 events of GET /v1/models polled before the keys reached the edge)
        Map<String, UsageRecorded> topic = readTopic(calls);
        topic.values().removeIf(e -> e.tenantId() == null && e.httpStatus() == 401 && "models".equals(e.endpoint()));
        assertThat(topic).hasSize(calls);
        assertThat(new HashSet<>(topic.values().stream().map(UsageRecorded::eventId).toList())).hasSize(calls);
        for (String tenant : tenants) {
            assertThat(topic.values().stream().filter(e -> tenant.equals(e.tenantId())).map(UsageRecorded::promptTokens).toList())
                    .isEqualTo(sent.get(tenant));
        }
        Thread.sleep(1_000);
        assertThat(billedRequests(tenants[0])).isEqualTo(12);
        assertThat(billedRequests(tenants[1])).isEqualTo(12);
    }

    /** Call i: tenant i mod 2, a prompt of i words (the simulator counts 7 + i prompt tokens), every third streamed. */
    void call(int i, String[] tenants, String[] keys, Map<String, List<Long>> sent) throws Exception {
        int t = i % 2;
        String words = String.join(" ", Collections.nCopies(i, "w"));
        HttpResponse<String> r = edge("POST", "/v1/chat/completions", keys[t], "{\"model\":\"gpt-4o-mini\",\"max_tokens\":3,\"stream\":"
                + (i % 3 == 0) + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + words + "\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        sent.get(tenants[t]).add(7L + i);
    }

    /** @return the topic's usage events by "partition/offset" (a second copy of an event would have its own offset) */
    Map<String, UsageRecorded> readTopic(int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokersAsString());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-usage-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        Map<String, UsageRecorded> out = new ConcurrentSkipListMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(UsageRecorded.TOPIC));
            long deadline = System.currentTimeMillis() + 30_000;
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                consumer.poll(Duration.ofMillis(200)).forEach(r ->
                        out.put(String.format("%d/%012d", r.partition(), r.offset()), JSON.readValue(r.value(), UsageRecorded.class)));
                if (out.values().stream().filter(e -> e.tenantId() != null).count() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + 1_000;
                }
            }
        }
        return out;
    }
}
