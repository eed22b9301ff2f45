package io.llmproxy.query.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.billing.Pricing;
import io.llmproxy.kernel.price.PriceSet;
import io.llmproxy.kernel.provider.ProviderRegistered;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import io.llmproxy.testsupport.LocalPostgres;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Exactly-once billing under load, through the embedded KRaft broker and the real consumer on
 * the real PostgreSQL: 100,000 synthetic usage events plus 5 % redelivered copies, with the
 * consumer stopped and restarted in the middle. Σ billing must equal Σ usage exactly (per tenant
 * and day, and against totals computed here with {@link Pricing}); then the billing projection
 * is rebuilt from the ledger and must be row-for-row identical. Prints consumer throughput,
 * lag and the replay time.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.query.admin-token=test-admin-token",
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "spring.kafka.producer.key-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.producer.properties.linger.ms=20",
        "logging.level.org.apache.kafka=WARN"})
@EmbeddedKafka(partitions = 3, topics = UsageRecorded.TOPIC)
class BillingExactlyOnceLoadTest {

    static final int EVENTS = 100_000;
    static final int REDELIVERED = EVENTS / 20;
    static final Instant NOV = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant MID_NOV = Instant.parse("2026-11-15T00:00:00Z");
    static final String GROUP = "llmproxy-usage-projection";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_billing_load", registry::add);
    }

    @Autowired
    EventStore eventStore;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    KafkaTemplate<String, String> kafka;
    @Autowired
    JsonMapper json;
    @Autowired
    KafkaListenerEndpointRegistry listeners;
    @Autowired
    EmbeddedKafkaBroker broker;
    @LocalServerPort
    int port;

    /** Prices: m0 changes mid-month, m1..m3 fixed, m4 has none (unpriced). */
    static final Map<String, Pricing.Price> EARLY = Map.of(
            "m0", price("2.5", "10", "1.25"), "m1", price("0.15", "0.6", "0.075"),
            "m2", price("3", "15", "0.3"), "m3", price("0.000001", "0.000003", null));
    static final Pricing.Price M0_LATE = price("2", "8", "0.5");

    static Pricing.Price price(String in, String out, String cached) {
        return new Pricing.Price(new BigDecimal(in), new BigDecimal(out), cached == null ? null : new BigDecimal(cached));
    }

    static Pricing.Price priceAt(String model, Instant at) {
        if ("m0".equals(model) && !at.isBefore(MID_NOV)) {
            return M0_LATE;
        }
        return EARLY.get(model);
    }

    @Test
    void hundredThousandEventsWithRedeliveryAndARestartAreBilledExactlyOnce() throws Exception {
        publish("p1", 0, new ProviderRegistered("p1", "sim", "openai", "http://127.0.0.1:5100/v1", "v1:x", NOV));
        for (var e : new TreeMap<>(EARLY).entrySet()) {
            Pricing.Price p = e.getValue();
            publish("p1/" + e.getKey(), 0, new PriceSet("p1", e.getKey(), p.inputPerMillionUsd(), p.outputPerMillionUsd(),
                    p.cachedInputPerMillionUsd(), NOV, NOV));
        }
        publish("p1/m0", 1, new PriceSet("p1", "m0", M0_LATE.inputPerMillionUsd(), M0_LATE.outputPerMillionUsd(),
                M0_LATE.cachedInputPerMillionUsd(), MID_NOV, NOV));
        await().atMost(Duration.ofSeconds(30)).until(() -> count("rm_price") == EARLY.size() + 1);

        // synthetic events and the expected sums per tenant-day: requests, prompt, cached, completion, cost, unpriced, errors
        Random random = new Random(20261129);
        List<UsageRecorded> events = new ArrayList<>(EVENTS);
        Map<String, long[]> expected = new TreeMap<>();
        for (int i = 0; i < EVENTS; i++) {
            String tenant = "tenant-" + random.nextInt(10);
            String model = "m" + random.nextInt(5);
            Instant at = NOV.plusSeconds(random.nextInt(30 * 86_400));
            long prompt = random.nextInt(4000);
            long cached = random.nextInt(4) == 0 ? random.nextInt((int) prompt + 1) : 0;
            long completion = random.nextInt(2000);
            boolean refused = random.nextInt(50) == 0;
            boolean failed = !refused && random.nextInt(40) == 0;
            String providerId = refused ? null : "p1";
            Outcome outcome = refused ? Outcome.CLIENT_ERROR : failed ? Outcome.UPSTREAM_ERROR : Outcome.SUCCESS;
            if (refused) {
                prompt = 0;
                cached = 0;
                completion = 0;
            }
            UsageRecorded e = new UsageRecorded(String.format("evt-%06d", i), 2, tenant, tenant + "-key-" + random.nextInt(3),
                    "chat.completions", "public-" + model, providerId, refused ? null : model, random.nextBoolean(), prompt,
                    completion, prompt + completion, 10, refused ? 429 : failed ? 502 : 200, outcome, at,
                    refused ? "quota:TENANT:requestsPerMinute" : null, false, tenant + "-user-" + random.nextInt(4), cached, null, null);
            events.add(e);
            Long cost = refused ? Long.valueOf(0) : Pricing.costMicros(priceAt(model, at), prompt, cached, completion);
            long[] sums = expected.computeIfAbsent(tenant + "|" + LocalDate.ofInstant(at, ZoneOffset.UTC), k -> new long[7]);
            sums[0]++;
            sums[1] += prompt;
            sums[2] += cached;
            sums[3] += completion;
            sums[4] += cost == null ? 0 : cost;
            sums[5] += cost == null ? 1 : 0;
            sums[6] += outcome == Outcome.SUCCESS ? 0 : 1;
        }
        // 5 % redelivered: copies of random earlier events, interleaved with the stream
        List<UsageRecorded> stream = new ArrayList<>(events);
        for (int i = 0; i < REDELIVERED; i++) {
            int pos = EVENTS / 10 + random.nextInt(stream.size() - EVENTS / 10);
            stream.add(pos, stream.get(random.nextInt(pos)));
        }
        assertThat(stream).hasSize(EVENTS + REDELIVERED);

        AtomicLong maxLag = new AtomicLong();
        List<Long> lagSamples = new java.util.concurrent.CopyOnWriteArrayList<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
            sampler.scheduleAtFixedRate(() -> {
                try {
                    long lag = lag(admin);
                    lagSamples.add(lag);
                    maxLag.accumulateAndGet(lag, Math::max);
                } catch (Exception ignored) {
                    // the group may not have committed yet
                }
            }, 200, 500, TimeUnit.MILLISECONDS);

            long started = System.nanoTime();
            int half = stream.size() / 2;
            for (int i = 0; i < stream.size(); i++) {
                UsageRecorded e = stream.get(i);
                kafka.send(UsageRecorded.TOPIC, e.tenantId(), json.writeValueAsString(e));
                if (i == half) {
                    kafka.flush();
                }
            }
            kafka.flush();
            long produced = System.nanoTime();

            // consumer restart in the middle
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200)).until(() -> count("usage_record") >= EVENTS / 2);
            MessageListenerContainer container = listeners.getListenerContainer("usage-projection");
            container.stop();
            long atStop = count("usage_record");
            Thread.sleep(1000);
            assertThat(count("usage_record")).isEqualTo(atStop);
            container.start();
            long restarted = System.nanoTime();

            await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(200)).until(() -> count("usage_record") == EVENTS);
            long consumed = System.nanoTime();
            await().atMost(Duration.ofMinutes(1)).until(() -> lag(admin) == 0);
            Thread.sleep(500);
            sampler.shutdownNow();

            double seconds = (consumed - started) / 1e9 - 1.0; // minus the 1 s the consumer was stopped
            System.out.printf("%n[billing-load] %,d events + %,d redelivered (%d partitions); produced in %.1f s; "
                            + "stopped at %,d counted, restarted after %.1f s%n",
                    EVENTS, REDELIVERED, 3, (produced - started) / 1e9, atStop, (restarted - started) / 1e9);
            System.out.printf("[billing-load] consumer: %,d events counted in %.1f s = %,.0f events/s (%,.0f messages/s incl. redeliveries)%n",
                    EVENTS, seconds, EVENTS / seconds, (EVENTS + REDELIVERED) / seconds);
            System.out.printf("[billing-load] lag (messages behind, sampled every 0.5 s): max %,d, median %,d, at end %d%n",
                    maxLag.get(), median(lagSamples), lag(admin));
        }

        assertThat(count("usage_record")).isEqualTo(EVENTS);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_log WHERE source = 'usage'", Long.class)).isEqualTo(EVENTS);
        Map<String, long[]> billed = new TreeMap<>();
        jdbc.query("""
                SELECT tenant_id || '|' || day, sum(requests), sum(prompt_tokens), sum(cached_prompt_tokens), sum(completion_tokens),
                       sum(cost_micros), sum(unpriced_requests), sum(errors)
                FROM billing_daily GROUP BY tenant_id, day""", rs -> {
            long[] s = new long[7];
            for (int i = 0; i < 7; i++) {
                s[i] = rs.getLong(i + 2);
            }
            billed.put(rs.getString(1), s);
        });
        assertThat(toText(billed)).isEqualTo(toText(expected));
        long[] total = new long[7];
        expected.values().forEach(s -> {
            for (int i = 0; i < 7; i++) {
                total[i] += s[i];
            }
        });
        assertThat(total[0]).isEqualTo(EVENTS);

        JsonNode reconciliation = getJson("/finance/v1/reconciliation?from=2026-11-01&to=2026-12-01");
        assertThat(reconciliation.get("matched").asBoolean()).isTrue();
        assertThat(reconciliation.get("differences").asLong()).isZero();
        assertThat(reconciliation.get("days").asInt()).isEqualTo(expected.size());
        JsonNode usage = getJson("/finance/v1/usage?groupBy=tenant&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z");
        assertThat(usage.get("totals").get("requests").asLong()).isEqualTo(EVENTS);
        assertThat(usage.get("totals").get("costMicros").asLong()).isEqualTo(total[4]);
        assertThat(usage.get("totals").get("unpricedRequests").asLong()).isEqualTo(total[5]);
        System.out.printf("[billing-load] reconciliation: %d tenant-days, %d differences; Σ requests %,d, Σ prompt %,d, "
                        + "Σ cached %,d, Σ completion %,d, Σ cost %,d micros (USD %s), %,d unpriced, %,d errors%n",
                reconciliation.get("days").asInt(), reconciliation.get("differences").asLong(), total[0], total[1], total[2],
                total[3], total[4], BigDecimal.valueOf(total[4], 6).toPlainString(), total[5], total[6]);

        String before = billingChecksum();
        jdbc.update("DELETE FROM billing_daily WHERE tenant_id = 'tenant-3'");
        long replayStarted = System.nanoTime();
        HttpResponse<String> replay = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/admin/v1/projections/billing/replay")).header("Authorization", "Bearer test-admin-token")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        long replayMs = (System.nanoTime() - replayStarted) / 1_000_000;
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(billingChecksum()).isEqualTo(before);
        JsonNode replayBody = json.readTree(replay.body());
        System.out.printf("[billing-load] billing replay from the ledger: %,d events → %,d rows in %d ms (server), %d ms (HTTP)%n%n",
                EVENTS, replayBody.get("rows").asLong(), replayBody.get("elapsedMs").asLong(), replayMs);
    }

    private final HttpClient http = HttpClient.newHttpClient();

    private long lag(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < 3; p++) {
            latest.put(new TopicPartition(UsageRecorded.TOPIC, p), OffsetSpec.latest());
        }
        var ends = admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
        long lag = 0;
        for (var e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += e.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    private static long median(List<Long> samples) {
        if (samples.isEmpty()) {
            return 0;
        }
        List<Long> sorted = samples.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String toText(Map<String, long[]> sums) {
        return sums.entrySet().stream().map(e -> e.getKey() + "=" + java.util.Arrays.toString(e.getValue()))
                .collect(Collectors.joining("\n"));
    }

    private String billingChecksum() {
        return jdbc.queryForObject("SELECT md5(string_agg(b::text, '|' ORDER BY tenant_id, day, user_id, api_key_id, model, "
                + "provider_id, provider_model)) FROM billing_daily b", String.class);
    }

    private void publish(String aggregateId, long sequence, Object event) {
        eventStore.publish(new GenericDomainEventMessage<>(event.getClass().getSimpleName(), aggregateId, sequence, event));
    }

    private long count(String table) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class);
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer test-admin-token").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
