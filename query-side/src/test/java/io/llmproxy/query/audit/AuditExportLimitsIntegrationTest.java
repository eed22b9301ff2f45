package io.llmproxy.query.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/**
 * Exports under load (attacker pass of 2026-12-07), with {@code max-concurrent-exports=1} and
 * {@code export-max-duration=3s}: a client that does not read holds the one export permit, so another
 * export gets 503 {@code busy} with {@code Retry-After} while JSON pages and other reads still answer;
 * a slow reader past the deadline has its stream cut and its database connection returned.
 */
@ExtendWith(OutputCaptureExtension.class)
class AuditExportLimitsIntegrationTest extends AuditReadsTestBase {

    private static final String HELD = "f0000000-0000-4000-8000-00000000000f";
    private static final String SLOW = "f1000000-0000-4000-8000-0000000000f1";
    private static final String SMALL = "f2000000-0000-4000-8000-0000000000f2";
    /** the export's statement, as pg_stat_activity shows it */
    private static final String EXPORT_SQL = "SELECT id, seq, event_id, source, event_type, occurred_at, actor, api_key_id, "
            + "payload::text AS payload, hash FROM audit_log WHERE tenant_id = $1 ORDER BY occurred_at, id";

    @Test
    void aSecondExportIsBusyWhileOneClientDoesNotRead() throws Exception {
        insertRows(HELD, repeat(200, 20_000));
        insertRows(SMALL, repeat(3, 10));
        try (Socket held = rawGet("/audit/v1/events?tenantId=" + HELD + "&format=ndjson", 1024)) {
            // the server has begun (its transaction is open) and is blocked writing to the socket nobody reads
            await().atMost(Duration.ofSeconds(20)).until(() -> openExports() == 1);

            HttpResponse<String> busy = get("/audit/v1/events?tenantId=" + SMALL + "&format=ndjson");
            assertThat(busy.statusCode()).as(busy.body()).isEqualTo(503);
            assertThat(busy.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(busy.headers().firstValue("content-type").orElse("")).startsWith("application/problem+json");
            JsonNode problem = json.readTree(busy.body());
            assertThat(problem.get("status").asInt()).isEqualTo(503);
            assertThat(problem.get("code").asString()).isEqualTo("busy");
            assertThat(problem.get("field").asString()).isEqualTo("format");
            assertThat(problem.get("detail").asString())
                    .isEqualTo("too many audit exports running on this instance; retry later");
            HttpResponse<String> csv = get("/audit/v1/events?tenantId=" + SMALL + "&format=csv");
            assertThat(csv.statusCode()).isEqualTo(503);
            assertThat(json.readTree(csv.body()).get("code").asString()).isEqualTo("busy");

            // other reads are not held up by it
            assertThat(getJson("/audit/v1/events?tenantId=" + SMALL).get("items")).hasSize(3);
            assertThat(getJson("/audit/v1/verify?tenantId=" + SMALL).has("ok")).isTrue();
            assertThat(openExports()).isEqualTo(1);
        }
        // the client went away: the server's write fails, the permit and the connection are returned
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/audit/v1/events?tenantId=" + SMALL + "&format=ndjson")
                .statusCode() == 200);
        HttpResponse<String> after = get("/audit/v1/events?tenantId=" + SMALL + "&format=ndjson");
        assertThat(after.body().lines().map(l -> json.readTree(l).get("eventId").asString()))
                .containsExactly(eventId(SMALL, 1), eventId(SMALL, 2), eventId(SMALL, 3));
        await().atMost(Duration.ofSeconds(10)).until(() -> openExports() == 0);
    }

    @Test
    void anExportPastItsDeadlineIsCutAndItsConnectionReturned(CapturedOutput output) throws Exception {
        // ~10 MB of rows: more than the server's socket send buffer (at most 4 MiB here) holds
        insertRows(SLOW, repeat(500, 20_000));
        insertRows(SMALL + "-d", repeat(2, 10));
        byte[] received;
        try (Socket slow = rawGet("/audit/v1/events?tenantId=" + SLOW + "&format=ndjson", 8192)) {
            slow.setSoTimeout(30_000);
            InputStream in = slow.getInputStream();
            // a slow reader past the 3 s deadline (~80 KB/s), then as fast as it can until the server ends the stream
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            readFor(in, got, Duration.ofSeconds(5), 100);
            assertThat(openExports()).as("the export is still running while its client reads slowly").isEqualTo(1);
            readFor(in, got, Duration.ofSeconds(60), 0);
            received = got.toByteArray();
        }
        String text = new String(received, StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("HTTP/1.1 200");
        assertThat(text).contains("\"eventId\":\"" + eventId(SLOW, 1) + "\"");
        // cut: the connection closed before the last row and without the chunked body's last chunk
        assertThat(text).doesNotContain("\"eventId\":\"" + eventId(SLOW, 500) + "\"");
        assertThat(text).doesNotEndWith("\r\n0\r\n\r\n");
        assertThat(received.length).isLessThan(500 * 20_000);

        // its transaction ended and its connection is back in the pool; the one export permit is free again
        await().atMost(Duration.ofSeconds(10)).until(() -> openExports() == 0);
        HttpResponse<String> next = get("/audit/v1/events?tenantId=" + SMALL + "-d&format=ndjson");
        assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
        assertThat(next.body().lines()).hasSize(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> output.getOut().contains("audit export of tenant " + SLOW + " stopped after"));
        assertThat(output.getOut()).contains("llmproxy.audit.export-max-duration (PT3S)");
    }

    /** @return backends of this database whose last statement is an export and that are not idle (in its transaction) */
    private int openExports() {
        return jdbc.queryForObject("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                    AND state <> 'idle' AND query = ?""", Integer.class, EXPORT_SQL);
    }

    /**
     * Reads from {@code in} into {@code got} for at most {@code period}, pausing {@code pauseMs} ms after each
     * read, until the server closes the connection (end of stream, reset or 30 s without data).
     */
    private static void readFor(InputStream in, ByteArrayOutputStream got, Duration period, long pauseMs)
            throws InterruptedException {
        long end = System.nanoTime() + period.toNanos();
        byte[] buffer = new byte[8192];
        while (System.nanoTime() < end) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException closed) {
                return;
            }
            if (n < 0) {
                return;
            }
            got.write(buffer, 0, n);
            if (pauseMs > 0) {
                Thread.sleep(pauseMs);
            }
        }
    }
}
