package io.llmproxy.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.ProxyEdgeApplication;
import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 14, graceful shutdown ({@code server.shutdown=graceful}, {@code LLMPROXY_SHUTDOWN_TIMEOUT}):
 * the edge's Spring context is closed from another thread while a stream is in flight, as a
 * SIGTERM from Kubernetes would. Against PostgreSQL, Redis, an embedded Kafka broker and the
 * upstream simulator ({@code slow} route: 1.2 s between tokens, {@link EdgeTestStack}).
 *
 * <p>Each edge here runs on its own Reactor Netty event loops (a non-global
 * {@link ReactorResourceFactory}): closing an edge that uses the global ones would dispose the loops
 * the simulator and every other test context of this JVM share. Graceful shutdown itself is Spring
 * Boot's, unchanged.
 */
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class EdgeGracefulShutdownTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Duration BOUND = Duration.ofSeconds(60);

    record Edge(ConfigurableApplicationContext context, int port, EdgeTestStack stack, Path journal) {
    }

    static Edge start(String database, String shutdownTimeout, EmbeddedKafkaBroker broker) {
        EdgeTestStack stack = new EdgeTestStack();
        List<String> args = new ArrayList<>();
        Map<String, String> props = new java.util.LinkedHashMap<>();
        stack.register((String name, Supplier<Object> value) -> props.put(name, String.valueOf(value.get())), database);
        props.forEach((name, value) -> args.add("--" + name + "=" + value));
        // "slower": 5 s between tokens, at least 8 tokens (the simulator's shortest natural answer): ≥ 40 s
        ReadModelDatabase.jdbc(props.get("spring.datasource.url")).update("INSERT INTO rm_route "
                + "(route_id, model, targets, updated_at, change_index) VALUES ('slower', 'slower', "
                + "'[{\"providerId\":\"p-sim\",\"model\":\"sim-slow-5000\"}]'::jsonb, now(), 6)");
        Path journal = Path.of("target/usage-buffer/shutdown-" + UUID.randomUUID());
        args.addAll(List.of("--server.port=0", "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
                "--llmproxy.edge.redis-url=" + TestServices.redis().url(),
                "--spring.lifecycle.timeout-per-shutdown-phase=" + shutdownTimeout,
                "--llmproxy.edge.snapshot-poll-interval=100ms", "--llmproxy.edge.usage-buffer-dir=" + journal));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ProxyEdgeApplication.class)
                .initializers(ctx -> ((GenericApplicationContext) ctx).registerBean(ReactorResourceFactory.class, () -> {
                    ReactorResourceFactory own = new ReactorResourceFactory();
                    own.setUseGlobalResources(false);
                    return own;
                }))
                .run(args.toArray(String[]::new));
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        stack.awaitReady(port);
        return new Edge(context, port, stack, journal);
    }

    static HttpResponse<InputStream> openStream(HttpClient http, Edge edge, String model, int maxTokens) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"a story for the drain\"}]}";
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + edge.port() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + edge.stack().key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        return stream;
    }

    /** @return true when a TCP connect to {@code port} is refused (the listening socket is closed) */
    static boolean refused(int port) throws IOException {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        }
    }

    /** @return the {@code data:} payloads of an SSE text, in order */
    static List<String> dataLines(String sse) {
        return sse.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
    }

    /** Reads until the end of the stream, or until the connection breaks; returns what arrived. */
    static String readWhatArrives(InputStream in, ByteArrayOutputStream into) {
        byte[] buffer = new byte[512];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                into.write(buffer, 0, n);
            }
        } catch (IOException cut) {
            // the server closed the connection mid-stream: keep what arrived
        }
        return into.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anInFlightStreamIsDrainedWhileNewConnectionsAreRefused(EmbeddedKafkaBroker broker) throws Exception {
        Edge edge = start("llmproxy_edge_shutdown_drain", "20s", broker);
        try (HttpClient http = HttpClient.newHttpClient()) {
            // 3 content tokens 1.2 s apart: the stream lasts about 4 s
            HttpResponse<InputStream> stream = openStream(http, edge, "slow", 3);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] first = new byte[64];
            int n = stream.body().read(first);
            assertThat(n).isPositive();
            received.write(first, 0, n);

            Thread closer = Thread.ofPlatform().name("edge-close").start(edge.context()::close);
            // the listening socket closes first: a new client cannot connect while the stream drains
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> refused(edge.port()));
            assertThat(closer.isAlive()).as("the context is still closing, waiting for the stream").isTrue();

            String sse = readWhatArrives(stream.body(), received);
            List<String> data = dataLines(sse);
            assertThat(data).last().isEqualTo("[DONE]");
            JsonNode last = JSON.readTree(data.get(data.size() - 2));
            JsonNode finish = data.stream().filter(d -> !d.equals("[DONE]")).map(JSON::readTree)
                    .filter(c -> c.path("choices").path(0).path("finish_reason").isString()).findFirst().orElseThrow();
            assertThat(finish.path("choices").path(0).path("finish_reason").asString()).isEqualTo("length");
            assertThat(last.path("object").asString()).isEqualTo("chat.completion.chunk");
            long contentDeltas = data.stream().filter(d -> !d.equals("[DONE]")).map(JSON::readTree)
                    .filter(c -> c.path("choices").path(0).path("delta").path("content").isString()
                            && !c.path("choices").path(0).path("delta").path("content").asString().isEmpty())
                    .count();
            assertThat(contentDeltas).isEqualTo(3);

            closer.join(BOUND);
            assertThat(closer.isAlive()).isFalse();
            assertThat(edge.context().isActive()).isFalse();

            // the close returned: the publisher sent what it had, so the topic holds all there will be
            List<UsageRecorded> events = eventsOf(broker, edge.stack().tenant);
            assertThat(events).hasSize(1);
            UsageRecorded event = events.get(0);
            assertThat(event.outcome()).isEqualTo(UsageRecorded.Outcome.SUCCESS);
            assertThat(event.httpStatus()).isEqualTo(200);
            assertThat(event.stream()).isTrue();
            assertThat(event.completionTokens()).isEqualTo(3);
            assertThat(journalRecords(edge.journal())).as("the journal is drained into Kafka").isZero();
        } finally {
            edge.context().close();
        }
    }

    @Test
    void aStreamThatOutlastsTheShutdownTimeoutIsCutAndStillBilledOnce(EmbeddedKafkaBroker broker) throws Exception {
        Edge edge = start("llmproxy_edge_shutdown_cut", "1s", broker);
        try (HttpClient http = HttpClient.newHttpClient()) {
            // the natural answer is ≥ 40 s away (route "slower"), far past the 1 s shutdown timeout
            HttpResponse<InputStream> stream = openStream(http, edge, "slower", 40);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] first = new byte[64];
            int n = stream.body().read(first);
            assertThat(n).isPositive();
            received.write(first, 0, n);

            long t0 = System.nanoTime();
            Thread closer = Thread.ofPlatform().name("edge-close").start(edge.context()::close);
            String sse = readWhatArrives(stream.body(), received);
            closer.join(BOUND);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(closer.isAlive()).isFalse();
            assertThat(edge.context().isActive()).isFalse();
            // the stream was cut: no [DONE], no finish_reason; the close did not wait for the answer's
            // natural end (≥ 40 s away): 1 s for the web server, then the usage publisher's own drain (≤ 5 s)
            assertThat(dataLines(sse)).isNotEmpty().doesNotContain("[DONE]");
            assertThat(sse).doesNotContain("finish_reason\":\"length", "finish_reason\":\"stop");
            assertThat(took).isLessThan(Duration.ofSeconds(30));

            // the cut call is billed once, as a cancelled call, with the tokens streamed before the cut
            List<UsageRecorded> events = eventsOf(broker, edge.stack().tenant);
            assertThat(events).hasSize(1);
            UsageRecorded event = events.get(0);
            assertThat(event.outcome()).isEqualTo(UsageRecorded.Outcome.CANCELLED);
            assertThat(event.httpStatus()).isEqualTo(499);
            assertThat(event.model()).isEqualTo("slower");
            assertThat(event.completionTokens()).isLessThan(8);
            assertThat(journalRecords(edge.journal())).as("the journal is drained into Kafka").isZero();
        } finally {
            edge.context().close();
        }
    }

    /**
     * @return every usage event of {@code tenant} in the topic, read from the beginning up to the
     *         end offsets as they are now (so nothing in flight is missed: call it after the close)
     */
    static List<UsageRecorded> eventsOf(EmbeddedKafkaBroker broker, String tenant) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<UsageRecorded> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(UsageRecorded.TOPIC).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    UsageRecorded e = JSON.readValue(r.value(), UsageRecorded.class);
                    if (tenant.equals(e.tenantId())) {
                        found.add(e);
                    }
                });
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
        }
        return found;
    }

    /** @return bytes of unacknowledged records left in the journal directory's segments after the checkpoint */
    static long journalRecords(Path dir) throws IOException {
        assertThat(Files.isDirectory(dir)).as(dir.toString()).isTrue();
        // the checkpoint points at the end of the last segment when everything was acknowledged
        byte[] checkpoint = Files.readAllBytes(dir.resolve("checkpoint"));
        long segment = java.nio.ByteBuffer.wrap(checkpoint).getLong(0);
        long offset = java.nio.ByteBuffer.wrap(checkpoint).getLong(8);
        long unacknowledged = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".seg")).toList()) {
                long id = Long.parseLong(f.getFileName().toString().replace(".seg", ""));
                long size = io.llmproxy.edge.usage.JournalFiles.recordsEnd(f); // without the preallocated zeros
                if (id == segment) {
                    unacknowledged += size - offset;
                } else if (id > segment) {
                    unacknowledged += size;
                }
            }
        }
        return unacknowledged;
    }
}
