package io.llmproxy.query.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import io.llmproxy.projection.audit.AuditChainVerifier;
import io.llmproxy.projection.audit.AuditLog;
import io.llmproxy.projection.billing.BillingProjection;
import io.llmproxy.projection.billing.PriceLookup;
import io.llmproxy.projection.usage.UsageKafkaListener;
import io.llmproxy.projection.usage.UsageProjection;
import io.llmproxy.testsupport.LocalPostgres;
import io.opentelemetry.api.OpenTelemetry;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The usage consumer's batch path (issue #16: one poll = a fixed number of statements) on the
 * real PostgreSQL, through {@link UsageKafkaListener#onUsage} as the Kafka container calls it:
 * duplicates within and across polls count once, a poll over several tenants keeps each chain in
 * offset order and verifying, the rows are identical to the event-by-event path's, and an event
 * the database refuses falls back to one transaction per event without loss or double count.
 */
class UsageBatchProjectionTest {

    /** The cost counter (issue #12) of the batch path, counted after each poll's commit. */
    static final io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

    static final Instant T0 = Instant.parse("2026-11-10T00:00:00Z");
    static final Instant PRICE_CHANGE = Instant.parse("2026-11-15T00:00:00Z");

    static HikariDataSource ds;
    static JdbcTemplate jdbc;
    static AuditLog auditLog;
    static UsageProjection projection;
    static UsageKafkaListener listener;
    static AuditChainVerifier verifier;
    static final JsonMapper json = JsonMapper.builder().build();
    long offset;

    @BeforeAll
    static void database() {
        String url = LocalPostgres.freshDatabase("llmproxy_usage_batch");
        Flyway.configure().dataSource(url, LocalPostgres.user(), LocalPostgres.password())
                .locations("classpath:db/migration/readmodel").table("flyway_readmodel_history")
                .baselineOnMigrate(true).baselineVersion("0").load().migrate();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(LocalPostgres.user());
        config.setPassword(LocalPostgres.password());
        config.setMaximumPoolSize(2);
        ds = new HikariDataSource(config);
        jdbc = new JdbcTemplate(ds);
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        auditLog = new AuditLog(jdbc, json, tx);
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("meters", meters);
        projection = new UsageProjection(jdbc, tx, auditLog, new PriceLookup(jdbc), new BillingProjection(jdbc, tx),
                beans.getBeanProvider(io.micrometer.core.instrument.MeterRegistry.class));
        listener = new UsageKafkaListener(projection, json, new DefaultListableBeanFactory().getBeanProvider(OpenTelemetry.class));
        verifier = new AuditChainVerifier(jdbc, tx, auditLog);
        // p1/m0: 2.5 / 10 / 1.25 USD per million from T0, 2 / 8 / 0.5 from the 15th; p1/m1 has no price
        jdbc.update("INSERT INTO rm_price VALUES ('p1', 'm0', ?, 2.5, 10, 1.25, now(), 1), ('p1', 'm0', ?, 2, 8, 0.5, now(), 2)",
                Timestamp.from(T0), Timestamp.from(PRICE_CHANGE));
    }

    @AfterAll
    static void close() {
        ds.close();
    }

    @BeforeEach
    void empty() {
        jdbc.execute("TRUNCATE usage_record, billing_daily, audit_log, audit_chain_head");
        jdbc.execute("DROP TRIGGER IF EXISTS refuse_bad ON usage_record");
    }

    static UsageRecorded usage(String id, String tenant, String model, long prompt, long completion, Instant at) {
        return new UsageRecorded(id, UsageRecorded.SCHEMA_VERSION, tenant, tenant == null ? null : "key-" + tenant,
                "chat.completions", "public-" + model, "p1", model, false, prompt, completion, prompt + completion,
                25, 200, Outcome.SUCCESS, at, null, false, null, prompt / 10, null, null, null,
                tenant == null ? null : "api-key:key-" + tenant);
    }

    ConsumerRecord<String, String> record(UsageRecorded e) {
        return new ConsumerRecord<>(UsageRecorded.TOPIC, 0, offset++, e.tenantId(), json.writeValueAsString(e));
    }

    List<ConsumerRecord<String, String>> records(UsageRecorded... events) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        for (UsageRecorded e : events) {
            out.add(record(e));
        }
        return out;
    }

    long count(String sql, Object... args) {
        return jdbc.queryForObject(sql, Long.class, args);
    }

    List<String> chain(String chainId) {
        return jdbc.queryForList("SELECT seq || ' ' || event_id FROM audit_log WHERE chain_id = ? AND source = 'usage' ORDER BY seq",
                String.class, chainId);
    }

    static double costCounted() {
        return meters.find(UsageProjection.COST).counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    @Test
    void anEventTwiceInAPollAndAgainInALaterPollIsCountedOnce() {
        UsageRecorded a = usage("a", "t1", "m0", 1000, 100, T0.plusSeconds(1));
        UsageRecorded b = usage("b", "t1", "m0", 2000, 200, T0.plusSeconds(2));
        UsageRecorded c = usage("c", "t1", "m0", 3000, 300, T0.plusSeconds(3));
        UsageRecorded d = usage("d", "t1", "m0", 4000, 400, T0.plusSeconds(4));
        listener.onUsage(records(a, b, a, c));
        listener.onUsage(records(b, d, d));

        assertThat(count("SELECT count(*) FROM usage_record")).isEqualTo(4);
        // Σ prompt 10,000; Σ completion 1,000; cost (prompt − cached 10 %) × 2.5 + cached × 1.25 + completion × 10 per million
        assertThat(jdbc.queryForList("""
                SELECT requests || ' ' || prompt_tokens || ' ' || cached_prompt_tokens || ' ' || completion_tokens || ' ' || cost_micros
                FROM billing_daily""", String.class)).containsExactly("4 10000 1000 1000 33750");
        // the cost metric counts each event once too, after the poll's commit (USD micros)
        double before = costCounted();
        assertThat(before).isGreaterThanOrEqualTo(33750);
        listener.onUsage(records(a, b, c, d));
        assertThat(costCounted()).isEqualTo(before);
        assertThat(chain("t1")).containsExactly("1 a", "2 b", "3 c", "4 d");
        assertThat(verifier.verify("t1").ok()).isTrue();
        assertThat(count("SELECT seq FROM audit_chain_head WHERE chain_id = 't1' AND source = 'usage'")).isEqualTo(4);
    }

    /**
     * Polls over two tenants and two UTC days with an event twice in a poll, and one counted in an
     * earlier poll: a poll that meets a counted event is written again skipping it (the plain ledger
     * insert fails on it), so whichever way the ledger is written, each event is billed once, into its
     * tenant's day, and each chain holds every event once in offset order.
     */
    @Test
    void pollsWithRedeliveriesOverTwoTenantsAndTwoDaysBillEachDayOnceAndKeepTheChains() {
        Instant day2 = T0.plus(java.time.Duration.ofDays(1));
        UsageRecorded a = usage("a", "t1", "m0", 1000, 100, T0.plusSeconds(10));
        UsageRecorded b = usage("b", "t2", "m0", 2000, 200, T0.plusSeconds(20));
        UsageRecorded c = usage("c", "t1", "m0", 3000, 300, day2.plusSeconds(30));
        UsageRecorded d = usage("d", "t1", "m0", 4000, 400, T0.plusSeconds(40));
        UsageRecorded e = usage("e", "t2", "m0", 5000, 500, day2.plusSeconds(50));
        UsageRecorded f = usage("f", "t2", "m0", 6000, 600, T0.plusSeconds(60));
        UsageRecorded g = usage("g", "t1", "m0", 7000, 700, day2.plusSeconds(70));
        UsageRecorded h = usage("h", "t1", "m0", 8000, 800, T0.plusSeconds(80));
        listener.onUsage(records(a, b, c));
        listener.onUsage(records(d, a, e, d)); // a counted before, d twice
        listener.onUsage(records(f, g));
        listener.onUsage(records(h, h, b)); // h twice, b counted before

        assertThat(count("SELECT count(*) FROM usage_record")).isEqualTo(8);
        // per tenant and day: Σ requests, prompt, cached (10 % of prompt), completion, and the cost in USD micros
        // ((prompt − cached) × 2.5 + cached × 1.25 + completion × 10 per million: 3.375 micros per prompt token here)
        assertThat(jdbc.queryForList("""
                SELECT tenant_id || ' ' || day || ' ' || requests || ' ' || prompt_tokens || ' ' || cached_prompt_tokens
                    || ' ' || completion_tokens || ' ' || cost_micros FROM billing_daily ORDER BY tenant_id, day""", String.class))
                .containsExactly(
                        "t1 2026-11-10 3 13000 1300 1300 43875",
                        "t1 2026-11-11 2 10000 1000 1000 33750",
                        "t2 2026-11-10 2 8000 800 800 27000",
                        "t2 2026-11-11 1 5000 500 500 16875");
        assertThat(chain("t1")).containsExactly("1 a", "2 c", "3 d", "4 g", "5 h");
        assertThat(chain("t2")).containsExactly("1 b", "2 e", "3 f");
        for (String tenant : List.of("t1", "t2")) {
            AuditChainVerifier.Verification v = verifier.verify(tenant);
            assertThat(v.ok()).as(tenant).isTrue();
            assertThat(v.rows()).as(tenant).isEqualTo(tenant.equals("t1") ? 5 : 3);
        }
        // the whole sequence again (a consumer restarted from older offsets) changes nothing
        List<String> before = checksums();
        listener.onUsage(records(a, b, c, d, e));
        listener.onUsage(records(f, g, h));
        assertThat(checksums()).isEqualTo(before);
    }

    @Test
    void aPollOverSeveralTenantsKeepsEachChainInOffsetOrderAndVerifying() {
        List<ConsumerRecord<String, String>> poll = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String tenant = i % 4 == 3 ? null : "t" + (i % 3);
            // event times deliberately not in offset order: the chain follows offsets
            poll.add(record(usage("e" + i, tenant, i % 2 == 0 ? "m0" : "m1", 100 + i, 10, T0.plusSeconds(1000 - i))));
        }
        listener.onUsage(poll.subList(0, 25));
        listener.onUsage(poll.subList(25, 40));

        assertThat(chain("t0")).containsExactly("1 e0", "2 e6", "3 e9", "4 e12", "5 e18", "6 e21", "7 e24", "8 e30",
                "9 e33", "10 e36");
        assertThat(chain("*")).hasSize(10).startsWith("1 e3", "2 e7", "3 e11").endsWith("10 e39");
        for (String c : List.of("t0", "t1", "t2", "*")) {
            AuditChainVerifier.Verification v = verifier.verify(c);
            assertThat(v.ok()).as(c).isTrue();
            assertThat(v.rows()).as(c).isEqualTo(10);
        }
        // m1 has no price: its 20 calls are unpriced, m0's are priced
        assertThat(count("SELECT sum(unpriced_requests) FROM billing_daily")).isEqualTo(20);
        assertThat(count("SELECT count(*) FROM usage_record WHERE cost_micros IS NULL")).isEqualTo(20);
    }

    @Test
    void theBatchWritesTheRowsTheEventByEventPathWrites() {
        List<UsageRecorded> events = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String tenant = i % 5 == 4 ? null : "t" + (i % 4);
            // both sides of the price change, an unpriced model, a call that reached no provider
            UsageRecorded e = usage("x" + i, tenant, i % 3 == 0 ? "m1" : "m0", 50L * i, 7L * i,
                    PRICE_CHANGE.minusSeconds(30 * 60).plusSeconds(60L * i).plusNanos(123_456_789));
            if (i % 7 == 0) {
                e = new UsageRecorded(e.eventId(), e.schemaVersion(), e.tenantId(), e.apiKeyId(), e.endpoint(), e.model(),
                        null, null, false, 0, 0, 0, 3, 403, Outcome.CLIENT_ERROR, e.occurredAt(), "model_not_allowed", false,
                        "user-1", 0, null, null, null, "user:user-1");
            }
            if (i == 10) { // U+0000 in a field: the audit data takes the JSON tree path, which stores it as U+FFFD
                e = new UsageRecorded(e.eventId(), e.schemaVersion(), e.tenantId(), e.apiKeyId(), e.endpoint(), "gpt\u0000x",
                        e.providerId(), e.providerModel(), false, e.promptTokens(), e.completionTokens(), e.totalTokens(),
                        e.latencyMs(), e.httpStatus(), e.outcome(), e.occurredAt(), null, false, null, 0, null, null, null,
                        e.principal());
            }
            events.add(e);
        }
        List<ConsumerRecord<String, String>> poll = new ArrayList<>();
        for (UsageRecorded e : events) {
            poll.add(record(e));
        }
        listener.onUsage(poll);
        List<String> batched = checksums();
        assertThat(count("SELECT count(*) FROM usage_record WHERE price_effective_from = ?", Timestamp.from(PRICE_CHANGE)))
                .isEqualTo(count("SELECT count(*) FROM usage_record WHERE provider_model = 'm0' AND occurred_at >= ?",
                        Timestamp.from(PRICE_CHANGE))).isPositive();

        empty();
        for (ConsumerRecord<String, String> r : poll) {
            projection.apply(json.readValue(r.value(), UsageRecorded.class), r.value());
        }
        assertThat(checksums()).isEqualTo(batched);
        assertThat(jdbc.queryForObject("SELECT payload ->> 'model' FROM audit_log WHERE event_id = 'x10'", String.class))
                .isEqualTo("gpt\uFFFDx");
        assertThat(count("SELECT count(*) FROM audit_log")).isEqualTo(60);
    }

    List<String> checksums() {
        return List.of(
                jdbc.queryForObject("SELECT md5(string_agg(u::text, '|' ORDER BY event_id)) FROM usage_record u", String.class),
                jdbc.queryForObject("""
                        SELECT md5(string_agg(b::text, '|' ORDER BY tenant_id, day, user_id, api_key_id, model)) FROM billing_daily b""",
                        String.class),
                jdbc.queryForObject("""
                        SELECT md5(string_agg(concat_ws(',', event_id, tenant_id, source, event_type, occurred_at, payload::text,
                            chain_id, seq, actor, api_key_id, hash), '|' ORDER BY chain_id, seq)) FROM audit_log""", String.class),
                jdbc.queryForObject("SELECT md5(string_agg(h::text, '|' ORDER BY chain_id)) FROM audit_chain_head h", String.class));
    }

    @Test
    void anEventTheDatabaseRefusesHoldsBackOnlyItselfAndIsCountedOnceWhenRedelivered() {
        jdbc.execute("""
                CREATE OR REPLACE FUNCTION refuse_bad() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.event_id = 'bad' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$""");
        jdbc.execute("CREATE TRIGGER refuse_bad BEFORE INSERT ON usage_record FOR EACH ROW EXECUTE FUNCTION refuse_bad()");
        UsageRecorded bad = usage("bad", "t1", "m0", 300, 30, T0.plusSeconds(3));
        List<ConsumerRecord<String, String>> poll = records(usage("ok1", "t1", "m0", 100, 10, T0.plusSeconds(1)),
                usage("ok2", "t2", "m0", 200, 20, T0.plusSeconds(2)));
        poll.add(new ConsumerRecord<>(UsageRecorded.TOPIC, 0, offset++, "t1", "{not json")); // skipped, never counted
        poll.add(record(bad));
        poll.add(record(usage("ok3", "t1", "m0", 400, 40, T0.plusSeconds(4))));

        assertThatThrownBy(() -> listener.onUsage(poll))
                .isInstanceOfSatisfying(BatchListenerFailedException.class, e -> assertThat(e.getIndex()).isEqualTo(3));
        // the events before it are committed, one transaction each; the ones after it wait
        assertThat(jdbc.queryForList("SELECT event_id FROM usage_record ORDER BY event_id", String.class))
                .containsExactly("ok1", "ok2");
        assertThat(count("SELECT sum(requests) FROM billing_daily")).isEqualTo(2);

        // the container retries from the failed record; the database takes it now
        jdbc.execute("DROP TRIGGER refuse_bad ON usage_record");
        listener.onUsage(poll.subList(3, 5));
        listener.onUsage(poll); // and a redelivery of the whole poll changes nothing
        assertThat(jdbc.queryForList("SELECT event_id FROM usage_record ORDER BY event_id", String.class))
                .containsExactly("bad", "ok1", "ok2", "ok3");
        assertThat(count("SELECT sum(requests) FROM billing_daily")).isEqualTo(4);
        assertThat(count("SELECT sum(prompt_tokens) FROM billing_daily")).isEqualTo(1000);
        assertThat(chain("t1")).containsExactly("1 ok1", "2 bad", "3 ok3");
        assertThat(verifier.verify("t1").ok()).isTrue();
        assertThat(verifier.verify("t2").rows()).isEqualTo(1);
    }
}
