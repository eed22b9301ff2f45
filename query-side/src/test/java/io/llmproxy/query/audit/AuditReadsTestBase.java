package io.llmproxy.query.audit;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.LocalPostgres;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One query-side (shared by its subclasses: same configuration, one Spring context) with tight audit read
 * bounds: pages of about 100,000 bytes of event data, one export at a time, exports cut after 3 s.
 * Rows are written straight into {@code audit_log} (valid columns; the hashes do not matter to reads).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.query.admin-token=test-admin-token",
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.audit.page-max-bytes=100000",
        "llmproxy.audit.max-concurrent-exports=1",
        "llmproxy.audit.export-max-duration=3s"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
abstract class AuditReadsTestBase {

    static final Instant T0 = Instant.parse("2026-11-01T09:00:00Z");
    static final String TOKEN = "test-admin-token";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_audit_reads_it", registry::add);
    }

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    JsonMapper json;
    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    /**
     * Inserts usage rows 1..{@code textLengths.length} of {@code tenant}, row i at {@code T0 + i s}, event id
     * {@code <tenant>-<i>}, whose payload holds a {@code promptText} of {@code textLengths[i-1]} characters.
     */
    void insertRows(String tenant, int... textLengths) {
        List<Object[]> batch = new ArrayList<>();
        for (int i = 1; i <= textLengths.length; i++) {
            String payload = "{\"apiKeyId\":\"k1\",\"promptText\":\"" + "a".repeat(textLengths[i - 1]) + "\"}";
            batch.add(new Object[] {eventId(tenant, i), tenant, T0.plusSeconds(i).atOffset(ZoneOffset.UTC), payload, tenant,
                    (long) i, "0".repeat(64)});
        }
        jdbc.batchUpdate("""
                INSERT INTO audit_log (event_id, tenant_id, source, event_type, occurred_at, payload, chain_id, seq, actor,
                    api_key_id, hash) VALUES (?, ?, 'usage', 'UsageRecorded', ?, ?::jsonb, ?, ?, 'api-key:k1', 'k1', ?)""", batch);
    }

    static int[] repeat(int count, int textLength) {
        int[] lengths = new int[count];
        java.util.Arrays.fill(lengths, textLength);
        return lengths;
    }

    static String eventId(String tenant, int i) {
        return tenant + "-" + i;
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = get(path);
        if (response.statusCode() != 200) {
            throw new AssertionError(path + " → " + response.statusCode() + " " + response.body());
        }
        return json.readTree(response.body());
    }

    /**
     * Opens a raw HTTP/1.1 GET of {@code path} whose socket has a receive buffer of {@code receiveBuffer}
     * bytes: as long as the test does not read, the server soon blocks writing to it.
     */
    Socket rawGet(String path, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + TOKEN
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }
}
