package io.llmproxy.query.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.projection.audit.AuditChainVerifier;
import io.llmproxy.projection.audit.AuditLog;
import io.llmproxy.projection.billing.BillingProjection;
import io.llmproxy.projection.billing.PriceLookup;
import io.llmproxy.projection.usage.UsageKafkaListener;
import io.llmproxy.projection.usage.UsageProjection;
import io.llmproxy.testsupport.LocalPostgres;
import io.opentelemetry.api.OpenTelemetry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Benchmark of the usage consumer's write path (issue #16), not a test; run by hand:
 * <pre>
 * mvn -q -pl query-side -am test-compile -DskipTests   (from the repository root)
 * mvn -q -pl query-side dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp "query-side/target/test-classes:query-side/target/classes:projections/target/classes:$(cat /tmp/cp.txt)" \
 *     io.llmproxy.query.bench.UsagePipelineBench [events=50000] [tenants=20] [batch=500] [runs=1] [days=1] [redelivered=5]
 * </pre>
 * It migrates a fresh database {@code llmproxy_pipeline_bench} (plus {@code LLMPROXY_TEST_DB_SUFFIX})
 * with the read-model Flyway migrations, sets prices for 4 of 5 provider models, and feeds
 * {@code events} realistic {@link UsageRecorded} JSON values (≈ 600 bytes each, {@code tenants}
 * tenants, 3 partitions keyed by tenant, offsets in order, event times in order (± 1 s) over
 * {@code days} UTC days (default 1, as a live stream: few billing rows per poll), {@code redelivered} %
 * of them (default 5; 0 = none, as a live stream between consumer restarts) redelivered in a later
 * batch) to {@link UsageKafkaListener#onUsage} in polls of {@code batch} records, exactly as the
 * Kafka container would (no broker: Kafka's own CPU is not measured here). A warm-up of 10,000
 * other events runs first. Per run it prints:
 * <ul>
 *   <li>{@code events/s}: unique events applied per second of wall time;</li>
 *   <li>{@code jvm µs/event}: process CPU of this JVM (OperatingSystemMXBean, GC and JIT
 *       included) per unique event;</li>
 *   <li>{@code consumer_thread µs/event}: CPU of the thread that runs the listener alone (no GC, no JIT);</li>
 *   <li>{@code pg µs/event}: CPU (utime + stime, /proc/PID/stat) of the one PostgreSQL backend
 *       that served the consumer's connection, per unique event. PostgreSQL's background
 *       writers (WAL writer, checkpointer) are shared with other databases and not included.</li>
 * </ul>
 * {@code -Dbench.setup="SQL"} runs SQL after the migrations (e.g. {@code DROP INDEX …} to see what an index costs).
 * Then it checks: one ledger row and one audit row per unique event, Σ billing requests = unique
 * events, and every tenant's audit chain verifies ({@link AuditChainVerifier}); it exits 1 if not.
 */
public final class UsagePipelineBench {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final long CLK_TCK = 100;

    private UsagePipelineBench() {
    }

    public static void main(String[] args) throws Exception {
        int events = arg(args, "events", 50_000);
        int tenants = arg(args, "tenants", 20);
        int batch = arg(args, "batch", 500);
        int runs = arg(args, "runs", 1);
        int days = arg(args, "days", 1);
        int redelivered = arg(args, "redelivered", 5);
        String url = LocalPostgres.freshDatabase("llmproxy_pipeline_bench");
        Flyway.configure().dataSource(url, LocalPostgres.user(), LocalPostgres.password())
                .locations("classpath:db/migration/readmodel").table("flyway_readmodel_history")
                .baselineOnMigrate(true).baselineVersion("0").load().migrate();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(LocalPostgres.user());
        config.setPassword(LocalPostgres.password());
        config.setMaximumPoolSize(1); // one backend: the one whose CPU is measured
        config.setMinimumIdle(1);
        try (HikariDataSource ds = new HikariDataSource(config)) {
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
            JsonMapper json = JsonMapper.builder().build();
            AuditLog auditLog = new AuditLog(jdbc, json, tx);
            BillingProjection billing = new BillingProjection(jdbc, tx);
            UsageProjection projection = new UsageProjection(jdbc, tx, auditLog, new PriceLookup(jdbc), billing,
                    new DefaultListableBeanFactory().getBeanProvider(io.micrometer.core.instrument.MeterRegistry.class));
            UsageKafkaListener listener = new UsageKafkaListener(projection, json,
                    new DefaultListableBeanFactory().getBeanProvider(OpenTelemetry.class));
            for (int m = 0; m < 4; m++) {
                jdbc.update("""
                        INSERT INTO rm_price VALUES ('p1', ?, ?, 2.5, 10, 1.25, now(), ?), ('p1', ?, ?, 2, 8, 0.5, now(), ?)""",
                        "m" + m, java.sql.Timestamp.from(T0), 2 * m, "m" + m, java.sql.Timestamp.from(T0.plusSeconds(15 * 86_400)),
                        2 * m + 1);
            }
            String setup = System.getProperty("bench.setup"); // e.g. an index dropped to see what it costs
            if (setup != null) {
                jdbc.execute(setup);
            }
            long backend = jdbc.queryForObject("SELECT pg_backend_pid()", Long.class);

            feed(listener, json, records(json, "warm", 10_000, tenants, days, 0, redelivered), batch);
            boolean ok = true;
            for (int run = 1; run <= runs; run++) {
                List<ConsumerRecord<String, String>> records = records(json, "run" + run, events, tenants, days, run * 10_000_000L,
                        redelivered);
                long pg0 = cpuTicks(backend);
                long jvm0 = processCpuNanos();
                long thread0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                feed(listener, json, records, batch);
                long wall = System.nanoTime() - t0;
                long jvm = processCpuNanos() - jvm0;
                long thread = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - thread0;
                long pg = cpuTicks(backend) - pg0;
                System.out.printf(Locale.ROOT,
                        "RESULT run=%d events=%d tenants=%d batch=%d events_per_s=%.0f jvm_us_per_event=%.1f "
                                + "consumer_thread_us_per_event=%.1f pg_us_per_event=%.1f%n",
                        run, events, tenants, batch, events / (wall / 1e9), jvm / 1e3 / events, thread / 1e3 / events,
                        pg * (1e6 / CLK_TCK) / events);
            }
            ok &= check(jdbc, tx, auditLog, tenants, 10_000L + (long) runs * events);
            System.exit(ok ? 0 : 1);
        }
    }

    /** Feeds {@code records} to the listener in polls of {@code batch}. */
    private static void feed(UsageKafkaListener listener, JsonMapper json, List<ConsumerRecord<String, String>> records,
                             int batch) {
        for (int i = 0; i < records.size(); i += batch) {
            listener.onUsage(records.subList(i, Math.min(records.size(), i + batch)));
        }
    }

    /**
     * {@code n} unique events plus {@code redelivered} % redelivered copies (each a few polls after its first
     * delivery), keyed by tenant; offsets per partition in order.
     */
    static List<ConsumerRecord<String, String>> records(JsonMapper json, String prefix, int n, int tenants, int days,
                                                        long offset0, int redelivered) {
        Random random = new Random(prefix.hashCode());
        List<ConsumerRecord<String, String>> out = new ArrayList<>(n + n / 20);
        long[] offsets = {offset0, offset0, offset0};
        List<String> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String tenant = "tenant-" + random.nextInt(tenants);
            int model = random.nextInt(5);
            long prompt = 20 + random.nextInt(4000);
            long cached = random.nextInt(4) == 0 ? random.nextInt((int) prompt + 1) : 0;
            long completion = random.nextInt(2000);
            UsageRecorded.Outcome outcome = random.nextInt(50) == 0 ? UsageRecorded.Outcome.UPSTREAM_ERROR
                    : UsageRecorded.Outcome.SUCCESS;
            UsageRecorded e = new UsageRecorded(prefix + "-" + java.util.UUID.nameUUIDFromBytes((prefix + i).getBytes()),
                    UsageRecorded.SCHEMA_VERSION, tenant, "key-" + tenant + "-" + random.nextInt(3), "chat.completions",
                    "gpt-" + model, "p1", "m" + model, random.nextBoolean(), prompt, completion, prompt + completion,
                    40 + random.nextInt(900), outcome == UsageRecorded.Outcome.SUCCESS ? 200 : 502, outcome,
                    T0.plusMillis(i * (days * 86_400_000L / n) + random.nextInt(1000)), null, false, random.nextInt(4) == 0 ? "user-7" : null,
                    cached, null, null);
            String value = json.writeValueAsString(e);
            values.add(value);
            int partition = Math.floorMod(tenant.hashCode(), 3);
            out.add(new ConsumerRecord<>(UsageRecorded.TOPIC, partition, offsets[partition]++, tenant, value));
            if (redelivered > 0 && i >= 2_000 && i % (100 / redelivered) == 0) { // a redelivery of an event ~2,000 events earlier
                String again = values.get(i - 2_000 + random.nextInt(500));
                UsageRecorded r = json.readValue(again, UsageRecorded.class);
                int p = Math.floorMod(r.tenantId().hashCode(), 3);
                out.add(new ConsumerRecord<>(UsageRecorded.TOPIC, p, offsets[p]++, r.tenantId(), again));
            }
        }
        return out;
    }

    private static boolean check(JdbcTemplate jdbc, TransactionTemplate tx, AuditLog auditLog, int tenants, long unique) {
        long ledger = jdbc.queryForObject("SELECT count(*) FROM usage_record", Long.class);
        long audit = jdbc.queryForObject("SELECT count(*) FROM audit_log WHERE source = 'usage'", Long.class);
        long billed = jdbc.queryForObject("SELECT coalesce(sum(requests), 0) FROM billing_daily", Long.class);
        boolean ok = ledger == unique && audit == unique && billed == unique;
        AuditChainVerifier verifier = new AuditChainVerifier(jdbc, tx, auditLog);
        long verified = 0;
        for (int t = 0; t < tenants; t++) {
            AuditChainVerifier.Verification v = verifier.verify("tenant-" + t);
            ok &= v.ok();
            verified += v.rows();
        }
        System.out.printf(Locale.ROOT, "CHECK unique=%d ledger=%d audit=%d billed=%d chain_rows_verified=%d ok=%s%n",
                unique, ledger, audit, billed, verified, ok && verified == unique);
        return ok && verified == unique;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** @return utime + stime of process {@code pid}, in clock ticks (1/100 s) */
    private static long cpuTicks(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static int arg(String[] args, String name, int def) {
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return Integer.parseInt(a.substring(name.length() + 1));
            }
        }
        return def;
    }
}
