import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Usage-pipeline load of bench/run.sh (scenario {@code pipeline}, issue #16): produces usage events
 * (the JSON of shared-kernel's {@code UsageRecorded}, schema 4, one served attempt, a random UUID
 * {@code eventId} each) straight to Kafka at a fixed rate, keyed by tenant id, the tenants taken in
 * turn, and follows the consumer group's lag: Σ over the topic's partitions of (log end offset −
 * the group's committed offset), as {@code kafka-consumer-groups --describe} computes it (through
 * the Admin API, in this JVM, so that sampling costs no JVM start per sample).
 *
 * <p>Phases: (1) waits until the lag is 0 (events of earlier scenarios); (2) {@code warmup_s}
 * seconds at {@code rate}, then waits for lag 0 again (unmeasured: the consumer's JIT); (3) the
 * measured run: {@code seconds} at {@code rate}, the lag sampled every second from the first
 * produce, then every 100 ms after the producer stopped until it is 0 ({@code drain_timeout_s} at
 * most). CPU (utime + stime from /proc, clock ticks of {@code clk_tck}) from the first produce to lag
 * 0: each {@code cpu.NAME=PID}, the backends of PostgreSQL database {@code pg_db} (processes whose
 * command line is {@code postgres: <user> <pg_db> ...}, query-side's and command-side's connections)
 * and its autovacuum workers as {@code pg}, PostgreSQL's own processes (postmaster, WAL writer,
 * checkpointer, background writer, launchers: shared by every database) as {@code pg_bg}, and every
 * postgres process of the machine as {@code pg_all}. Before the measured run, the same processes'
 * CPU is read over {@code idle_s} seconds (5) with nothing produced: their idle work (the event
 * store's and segments' polls, the consumers' fetches, the edge's snapshot polls on PostgreSQL),
 * which goes on during the run too and which the per-event figures spread over the events.
 *
 * <p>Output: {@code LAG t_s=.. produced=.. lag=..} lines, one {@code TENANT <id> <events>} line per
 * tenant (warm-up included), and one {@code RESULT key=value ...} line: events, produce_s,
 * produce_rate, send_errors, max_lag, stop_lag (when the producer stopped), final_lag, drain_s
 * (producer stop → lag 0, -1 = not drained), consume_s (first produce → lag 0), consumer_eps
 * (events ÷ consume_s), slope_eps (least-squares growth of the lag over the second half of the
 * production, events/s), cpu_NAME_us (µs per event), idle_NAME_us (the idle work's CPU per second
 * × the measured window ÷ events: the part of cpu_NAME_us that no event caused), baseline_lag.
 *
 * <p>Run: {@code java -cp 'infra/local/.state/kafka/lib/*' bench/Pipeline.java bootstrap=127.0.0.1:9092
 * tenants=t1:k1,t2:k2 provider=<providerId> rate=2000 seconds=30} (also topic=, group=, model=,
 * provider_model=, warmup_s=5, idle_s=5, drain_timeout_s=120, cpu.NAME=PID, pg_db=, clk_tck=100).
 */
public final class Pipeline {

    private Pipeline() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("argument without '=': " + arg);
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        String bootstrap = a.getOrDefault("bootstrap", "127.0.0.1:9092");
        String topic = a.getOrDefault("topic", "llmproxy.usage.v1");
        String group = a.getOrDefault("group", "llmproxy-usage-projection");
        int rate = Integer.parseInt(a.getOrDefault("rate", "2000"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "30"));
        int warmupS = Integer.parseInt(a.getOrDefault("warmup_s", "5"));
        int idleS = Integer.parseInt(a.getOrDefault("idle_s", "5"));
        long drainTimeoutS = Long.parseLong(a.getOrDefault("drain_timeout_s", "120"));
        long hz = Long.parseLong(a.getOrDefault("clk_tck", "100"));
        List<String[]> tenants = new ArrayList<>();
        for (String t : a.getOrDefault("tenants", "").split(",")) {
            if (!t.isBlank()) {
                tenants.add(t.split(":", 2));
            }
        }
        if (tenants.isEmpty()) {
            throw new IllegalArgumentException("tenants=<tenantId>:<apiKeyId>,... is required");
        }
        Events events = new Events(tenants, a.getOrDefault("provider", "bench-provider"),
                a.getOrDefault("model", "bench-model"), a.getOrDefault("provider_model", "sim-bench"));

        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // as proxy-edge's usage delivery: acks=all, idempotent; its sender hands the producer what the journal
        // gathered in 100 ms (llmproxy.edge.usage-sender-linger), which then leaves in one request per
        // partition (batch.size 256 KiB, UsageProducerConfig.BATCH_BYTES): a 100 ms linger here does the same
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "100");
        producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (Admin adminClient = Admin.create(admin);
             KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
            Lag lag = new Lag(adminClient, topic, group);
            long baseline = lag.get();
            System.out.printf(Locale.ROOT, "baseline lag %d, waiting for 0%n", baseline);
            lag.waitZero(TimeUnit.SECONDS.toNanos(drainTimeoutS));
            if (warmupS > 0) {
                System.out.printf(Locale.ROOT, "warm-up: %d s at %d events/s (not measured)%n", warmupS, rate);
                produce(producer, topic, events, rate, warmupS, null);
                if (lag.waitZero(TimeUnit.SECONDS.toNanos(drainTimeoutS)) < 0) {
                    System.out.println("the warm-up events did not drain");
                }
            }

            Map<String, Long> idle0 = ProcCpu.cpu(a);
            long idleStart = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(idleS));
            Map<String, Long> idleTicks = ProcCpu.cpuDelta(idle0, ProcCpu.cpu(a));
            double idleWindowS = (System.nanoTime() - idleStart) / 1e9;
            System.out.printf(Locale.ROOT, "idle: %d s with nothing produced, CPU ticks %s%n", idleS, idleTicks);

            Map<String, Long> cpu0 = ProcCpu.cpu(a);
            long t0 = System.nanoTime();
            List<long[]> samples = new ArrayList<>(); // {t ns since t0, produced, lag}
            AtomicReference<Exception> samplerFailure = new AtomicReference<>();
            AtomicLong produced = new AtomicLong();
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                long next = t0 + 1_000_000_000L;
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        LockSupport.parkNanos(next - System.nanoTime());
                        if (Thread.currentThread().isInterrupted()) {
                            break;
                        }
                        long l = lag.get();
                        synchronized (samples) {
                            samples.add(new long[] {System.nanoTime() - t0, produced.get(), l});
                        }
                        System.out.printf(Locale.ROOT, "LAG t_s=%.1f produced=%d lag=%d%n",
                                (System.nanoTime() - t0) / 1e9, produced.get(), l);
                        next += 1_000_000_000L;
                    }
                } catch (Exception e) {
                    samplerFailure.set(e);
                }
            });
            Produced p = produce(producer, topic, events, rate, seconds, produced);
            long stopped = System.nanoTime();
            long stopLag = lag.get();
            long drained = lag.waitZero(TimeUnit.SECONDS.toNanos(drainTimeoutS));
            long end = drained < 0 ? System.nanoTime() : drained;
            Map<String, Long> cpu1 = ProcCpu.cpu(a);
            sampler.interrupt();
            sampler.join(5_000);
            long finalLag = lag.get();
            if (samplerFailure.get() != null) {
                System.out.println("lag sampler failed: " + samplerFailure.get());
            }
            events.counts.forEach((tenant, n) -> System.out.printf(Locale.ROOT, "TENANT %s %d%n", tenant, n));
            long maxLag = Math.max(stopLag, 0);
            List<long[]> second = new ArrayList<>();
            synchronized (samples) {
                for (long[] s : samples) {
                    maxLag = Math.max(maxLag, s[2]);
                    if (s[0] >= (stopped - t0) / 2 && s[0] <= stopped - t0) {
                        second.add(s);
                    }
                }
            }
            double consumeS = drained < 0 ? -1 : (drained - t0) / 1e9;
            StringBuilder result = new StringBuilder();
            result.append(String.format(Locale.ROOT,
                    "RESULT events=%d produce_s=%.2f produce_rate=%.0f send_errors=%d max_lag=%d stop_lag=%d final_lag=%d"
                            + " drain_s=%.2f consume_s=%.2f consumer_eps=%s slope_eps=%s baseline_lag=%d rate=%d seconds=%d",
                    p.acked, p.seconds, p.acked / p.seconds, p.errors, maxLag, stopLag, finalLag,
                    drained < 0 ? -1.0 : (drained - stopped) / 1e9, consumeS,
                    consumeS > 0 ? String.format(Locale.ROOT, "%.0f", p.acked / consumeS) : "-",
                    second.size() >= 3 ? String.valueOf(Math.round(slope(second))) : "-", baseline, rate, seconds));
            ProcCpu.cpuDelta(cpu0, cpu1).forEach((name, ticks) -> result.append(" cpu_").append(name).append("_us=")
                    .append(ticks < 0 || p.acked == 0 ? "-" : String.format(Locale.ROOT, "%.1f", ticks * 1e6 / hz / p.acked)));
            double windowS = (end - t0) / 1e9;
            idleTicks.forEach((name, ticks) -> result.append(" idle_").append(name).append("_us=")
                    .append(ticks < 0 || p.acked == 0 || idleWindowS <= 0 ? "-"
                            : String.format(Locale.ROOT, "%.1f", ticks / idleWindowS * windowS * 1e6 / hz / p.acked)));
            System.out.println(result);
        }
    }

    /** What {@link #produce} did: events acknowledged, send errors, seconds from the first send to the last ack. */
    record Produced(long acked, long errors, double seconds) {
    }

    /**
     * Sends {@code rate × seconds} events, paced on the clock (event i is due at i / rate s; a late
     * producer catches up at once), then flushes. {@code progress} counts sends, when not null.
     */
    static Produced produce(KafkaProducer<String, String> producer, String topic, Events events, int rate, int seconds,
                            AtomicLong progress) {
        long total = (long) rate * seconds;
        AtomicLong acked = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long t0 = System.nanoTime();
        long sent = 0;
        while (sent < total) {
            long due = Math.min(total, (System.nanoTime() - t0) * rate / 1_000_000_000L + 1);
            for (; sent < due; sent++) {
                String[] kv = events.next();
                producer.send(new ProducerRecord<>(topic, kv[0], kv[1]), (meta, e) -> {
                    if (e == null) {
                        acked.incrementAndGet();
                    } else {
                        errors.incrementAndGet();
                    }
                });
                if (progress != null) {
                    progress.incrementAndGet();
                }
            }
            LockSupport.parkNanos(500_000);
        }
        producer.flush();
        return new Produced(acked.get(), errors.get(), (System.nanoTime() - t0) / 1e9);
    }

    /** Least-squares slope of lag over time, events/s, of samples {t ns, produced, lag}. */
    static double slope(List<long[]> samples) {
        double n = samples.size(), st = 0, sl = 0, stt = 0, stl = 0;
        for (long[] s : samples) {
            double t = s[0] / 1e9;
            st += t;
            sl += s[2];
            stt += t * t;
            stl += t * s[2];
        }
        return (n * stl - st * sl) / (n * stt - st * st);
    }

    /** The usage events: tenants in turn, each with its API key. */
    static final class Events {
        final List<String[]> tenants;
        final String provider;
        final String model;
        final String providerModel;
        final Map<String, Long> counts = new LinkedHashMap<>();
        long i;

        Events(List<String[]> tenants, String provider, String model, String providerModel) {
            this.tenants = tenants;
            this.provider = provider;
            this.model = model;
            this.providerModel = providerModel;
            tenants.forEach(t -> counts.put(t[0], 0L));
        }

        /** @return {key, value}: the next event's tenant id and its UsageRecorded JSON */
        String[] next() {
            String[] t = tenants.get((int) (i % tenants.size()));
            long prompt = 20 + (i * 7919) % 2000;
            long completion = 1 + (i * 104_729) % 800;
            long latency = 40 + i % 900;
            i++;
            counts.merge(t[0], 1L, Long::sum);
            String key = t.length > 1 ? t[1] : null;
            String json = "{\"eventId\":\"" + UUID.randomUUID() + "\",\"schemaVersion\":4,\"tenantId\":\"" + t[0]
                    + "\",\"apiKeyId\":" + str(key) + ",\"endpoint\":\"chat.completions\",\"model\":\"" + model
                    + "\",\"providerId\":\"" + provider + "\",\"providerModel\":\"" + providerModel
                    + "\",\"stream\":false,\"promptTokens\":" + prompt + ",\"completionTokens\":" + completion
                    + ",\"totalTokens\":" + (prompt + completion) + ",\"latencyMs\":" + latency
                    + ",\"httpStatus\":200,\"outcome\":\"SUCCESS\",\"occurredAt\":\"" + Instant.now()
                    + "\",\"refusalReason\":null,\"usageEstimated\":false,\"userId\":null,\"cachedPromptTokens\":0"
                    + ",\"promptText\":null,\"completionText\":null,\"attempts\":[{\"providerId\":\"" + provider
                    + "\",\"providerModel\":\"" + providerModel + "\",\"httpStatus\":200,\"error\":null,\"latencyMs\":"
                    + (latency - 2) + ",\"served\":true}],\"principal\":" + (key == null ? "null" : str("api-key:" + key)) + "}";
            return new String[] {t[0], json};
        }

        static String str(String s) {
            return s == null ? "null" : "\"" + s + "\"";
        }
    }

    /** The consumer group's lag on the topic, through the Admin API. */
    record Lag(Admin admin, String topic, String group) {
        long get() throws Exception {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            partitions.forEach(tp -> {
                latest.put(tp, OffsetSpec.latest());
                earliest.put(tp, OffsetSpec.earliest());
            });
            var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            var starts = committed.keySet().containsAll(partitions) ? null : admin.listOffsets(earliest).all().get(10, TimeUnit.SECONDS);
            long sum = 0;
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                long from = c != null ? c.offset() : starts.get(tp).offset();
                sum += Math.max(0, ends.get(tp).offset() - from);
            }
            return sum;
        }

        /** Polls every 100 ms until the lag is 0: returns System.nanoTime() then, or -1 after {@code timeoutNs}. */
        long waitZero(long timeoutNs) throws Exception {
            long deadline = System.nanoTime() + timeoutNs;
            while (System.nanoTime() < deadline) {
                if (get() == 0) {
                    return System.nanoTime();
                }
                Thread.sleep(100);
            }
            return -1;
        }
    }
}
