package io.llmproxy.query.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.projection.billing.BillingProjection;
import io.llmproxy.query.identity.KeycloakUserProvisioning;
import io.llmproxy.testsupport.RawHttp;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * What a PlatformAdmin's replay requests can carry (ADR 0023): encoded, dotted, parameterised,
 * over-long and SQL-ish names and ids, another processor's replay id, lenient UUID forms, a processor
 * that is not a projection; many requests at once; a billing rebuild while another runs. Each answer is
 * a problem JSON 4xx whose detail repeats no input, never a 5xx, never another record, and nothing is started.
 */
class ReplayEndpointInputTest extends ReplayWebTestBase {

    static final String P = "/admin/v1/projections/";
    /** a DONE replay of admin-read-model whose id has a lenient short form ({@code 1-1-1-1-1}) */
    static final UUID SHORT = UUID.fromString("00000001-0001-0001-0001-000000000001");
    static final UUID OF_AUDIT = UUID.fromString("00000000-0000-4000-8000-00000000a0d1");

    @Autowired
    EventProcessingConfiguration processing;
    @Autowired
    DataSource dataSource;

    @BeforeEach
    void seed() {
        for (Object[] row : new Object[][] {{SHORT, "admin-read-model"}, {OF_AUDIT, "audit-admin"}}) {
            jdbc.update("""
                    INSERT INTO projection_replay (id, processor, requested_by, requested_at, state, finished_at)
                    VALUES (?, ?, 'node-a', now(), 'DONE', now()) ON CONFLICT DO NOTHING""", row);
        }
    }

    @ParameterizedTest(name = "{0} {1} → {2} {3}")
    @CsvSource(delimiter = '|', value = {
            "POST | nope/replay                                         | 404 | not_found",
            "POST | keycloak-user-provisioning/replay                   | 404 | not_found",
            "POST | ADMIN-READ-MODEL/replay                             | 404 | not_found",
            "POST | billing%20/replay                                   | 404 | not_found",
            "POST | %C3%A9/replay                                       | 404 | not_found",
            "POST | %27%20OR%20%271%27=%271/replay                    | 404 | not_found",
            "POST | %27%3B%20DROP%20TABLE%20projection_replay%3B--/replay | 400 | invalid_path",
            "POST | %2e%2e/replay                                       | 400 | invalid_path",
            "POST | ..%2Fbilling/replay                                 | 400 | bad_request",
            "POST | admin-read-model%252Freplay                         | 400 | invalid_path",
            "POST | admin-read-model;x=1/replay                         | 400 | invalid_path",
            "POST | admin-read-model/replay;x=1                         | 400 | invalid_path",
            "POST | admin-read-model/./replay                           | 400 | invalid_path",
            "POST | admin-read-model/replay/                            | 404 | no_such_endpoint",
            "POST | admin-read-model/replays/00000001-0001-0001-0001-000000000001 | 405 | method_not_allowed",
            "GET  | admin-read-model/replay                             | 405 | method_not_allowed",
            "GET  | admin-read-model/replays/not-a-uuid                 | 404 | not_found",
            "GET  | admin-read-model/replays/1-1-1-1-1                  | 404 | not_found",
            "GET  | admin-read-model/replays/{00000001-0001-0001-0001-000000000001} | 400 | bad_request",
            "GET  | admin-read-model/replays/%7B00000001-0001-0001-0001-000000000001%7D | 404 | not_found",
            "GET  | admin-read-model/replays/00000001000100010001000000000001 | 404 | not_found",
            "GET  | admin-read-model/replays/%27%20OR%20%271%27=%271    | 404 | not_found",
            "GET  | admin-read-model/replays/00000000-0000-4000-8000-00000000a0d1 | 404 | not_found",
            "GET  | nope/replays/00000001-0001-0001-0001-000000000001   | 404 | not_found",
            "GET  | admin-read-model/replays/00000001-0001-0001-0001-000000000001/ | 404 | no_such_endpoint"})
    void oddNamesAndIdsAreProblemsThatStartNothing(String method, String path, int status, String code) throws Exception {
        long replays = count("projection_replay");
        RawHttp.Answer answer = asAdmin(method.strip(), P + path.strip());
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.header("content-type")).startsWith("application/problem+json");
        assertThat(body(answer).get("code").asString()).isEqualTo(code);
        assertThat(body(answer).get("detail").asString()).doesNotContain("DROP TABLE").doesNotContain("OR '1'");
        assertThat(count("projection_replay")).isEqualTo(replays);
        assertThat(count("projection_replay WHERE state IN ('REQUESTED', 'RESETTING')")).isZero();
    }

    @ParameterizedTest(name = "a name of {0} characters")
    @CsvSource({"300, 404", "5000, 404", "9000, 400"})
    void veryLongNamesAreRefusedWithoutBeingEchoed(int length, int status) throws Exception {
        RawHttp.Answer answer = asAdmin("POST", P + "a".repeat(length) + "/replay");
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.header("content-type")).startsWith("application/problem+json");
        // the detail does not repeat the name (the problem's "instance" is the request path, as RFC 9457 has it)
        assertThat(body(answer).get("detail").asString()).doesNotContain("aaaa").hasSizeLessThan(200);
        assertThat(count("projection_replay WHERE length(processor) > 100")).isZero();
    }

    @Test
    void theCanonicalIdInEitherCaseFindsItsOwnRecordOnly() throws Exception {
        for (String id : List.of(SHORT.toString(), SHORT.toString().toUpperCase(java.util.Locale.ROOT))) {
            RawHttp.Answer answer = asAdmin("GET", P + "admin-read-model/replays/" + id);
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            assertThat(body(answer).get("replayId").asString()).isEqualTo(SHORT.toString());
            assertThat(body(answer).get("projection").asString()).isEqualTo("admin-read-model");
        }
        assertThat(asAdmin("GET", P + "audit-admin/replays/" + OF_AUDIT).status()).isEqualTo(200);
    }

    /** Keycloak provisioning is an event processor but no projection: a reset would re-enable removed users. */
    @Test
    void aProcessorThatIsNotAProjectionIsNeverStoppedOrReset() throws Exception {
        StreamingEventProcessor provisioning = processing.eventProcessor(KeycloakUserProvisioning.GROUP,
                StreamingEventProcessor.class).orElseThrow();
        assertThat(provisioning.isRunning()).isTrue();
        RawHttp.Answer answer = asAdmin("POST", P + KeycloakUserProvisioning.GROUP + "/replay");
        assertThat(answer.status()).as(answer.body()).isEqualTo(404);
        assertThat(body(answer).get("detail").asString())
                .isEqualTo("no projection of that name; replayable: admin-read-model, audit-admin, billing");
        // a request row written some other way is failed by the coordinator, which stops nothing
        UUID injected = UUID.randomUUID();
        jdbc.update("INSERT INTO projection_replay (id, processor, requested_by, requested_at, state) "
                + "VALUES (?, ?, 'elsewhere', now(), 'REQUESTED')", injected, KeycloakUserProvisioning.GROUP);
        await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(jdbc.queryForObject(
                "SELECT state FROM projection_replay WHERE id = ?", String.class, injected)));
        assertThat(jdbc.queryForObject("SELECT detail FROM projection_replay WHERE id = ?", String.class, injected))
                .isEqualTo("not a replayable projection");
        assertThat(count("projection_replay_ack WHERE replay_id = '" + injected + "'")).isZero();
        assertThat(provisioning.isRunning()).isTrue();
    }

    @Test
    void manyRequestsAtOnceOpenOneReplayAndTheOthersNameIt() throws Exception {
        int callers = 12;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Future<RawHttp.Answer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < callers; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return asAdmin("POST", P + "audit-admin/replay");
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            Set<String> ids = new java.util.HashSet<>();
            for (Future<RawHttp.Answer> f : answers) {
                RawHttp.Answer a = f.get();
                statuses.add(a.status());
                JsonNode b = body(a);
                ids.add(b.get("replayId").asString());
                if (a.status() == 409) {
                    assertThat(b.get("code").asString()).isEqualTo("replay_in_progress");
                }
            }
            assertThat(statuses).filteredOn(s -> s == 202).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 409).hasSize(callers - 1);
            assertThat(ids).hasSize(1);
            String id = ids.iterator().next();
            assertThat(count("projection_replay WHERE processor = 'audit-admin' AND id <> '" + OF_AUDIT + "'")).isEqualTo(1);
            await().atMost(Duration.ofSeconds(60)).until(() -> "DONE".equals(
                    body(asAdmin("GET", P + "audit-admin/replays/" + id)).get("state").asString()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBillingRebuildWhileAnotherRunsIs409AtOnce() throws Exception {
        try (Connection other = dataSource.getConnection(); Statement s = other.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + BillingProjection.REBUILD_LOCK + ")"); // another instance's rebuild
            long started = System.nanoTime();
            RawHttp.Answer busy = asAdmin("POST", P + "billing/replay");
            assertThat(busy.status()).as(busy.body()).isEqualTo(409);
            assertThat(body(busy).get("code").asString()).isEqualTo("replay_in_progress");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            s.execute("SELECT pg_advisory_unlock(" + BillingProjection.REBUILD_LOCK + ")");
        }
        RawHttp.Answer done = asAdmin("POST", P + "billing/replay");
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        assertThat(body(done).get("status").asString()).isEqualTo("rebuilt");
    }
}
