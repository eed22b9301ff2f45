package io.llmproxy.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.LocalPostgres;
import io.llmproxy.testsupport.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Read your own writes (issue #13, ADR 0020), with the built command-side and query-side as
 * processes: a burst of create-then-read calls, each read sending back the command's
 * {@code LLMProxy-Event-Position} as {@code LLMProxy-Min-Position}, never misses what it just did;
 * a position the read models cannot reach in time is 503 {@code consistency_timeout}, never a stale
 * answer; a malformed one is 400.
 */
class ReadYourWritesE2ETest {

    static final String ADMIN_TOKEN = "e2e-ryw-admin-token";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static TestKafka kafka;
    static LocalStack stack;
    static int commandPort;
    static int queryPort;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        kafka = TestKafka.start(1, UsageRecorded.TOPIC);
        Map<String, String> env = Map.of(
                "LLMPROXY_DB_URL", LocalPostgres.freshDatabase("llmproxy_e2e_ryw"),
                "LLMPROXY_DB_USER", LocalPostgres.user(),
                "LLMPROXY_DB_PASSWORD", LocalPostgres.password(),
                "LLMPROXY_KAFKA_BOOTSTRAP", kafka.bootstrap(),
                "LLMPROXY_ADMIN_TOKEN", ADMIN_TOKEN,
                "LLMPROXY_SECRET_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]),
                "LLMPROXY_QUERY_CONSISTENCY_MAX_WAIT", "3s");
        stack = new LocalStack();
        commandPort = LocalStack.freePort();
        queryPort = LocalStack.freePort();
        stack.start("ryw-command-side", "command-side", commandPort, env);
        stack.start("ryw-query-side", "query-side", queryPort, env);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    HttpResponse<String> send(String method, int port, String path, String body, String minPosition) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Duration.ofSeconds(30)).uri(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (minPosition != null) {
            b.header("LLMProxy-Min-Position", minPosition);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static long position(HttpResponse<String> r) {
        String value = r.headers().firstValue("LLMProxy-Event-Position").orElseThrow(() ->
                new AssertionError("no LLMProxy-Event-Position on " + r.statusCode() + " " + r.uri()));
        return Long.parseLong(value);
    }

    @Test
    void aBurstOfCreateThenReadNeverMisses() throws Exception {
        int rounds = 40;
        int missedWithout = 0;
        long previous = 0;
        long waitedNanos = 0;
        for (int i = 0; i < rounds; i++) {
            HttpResponse<String> tenant = send("POST", commandPort, "/admin/v1/tenants", "{\"name\":\"ryw-" + i + "\"}", null);
            assertThat(tenant.statusCode()).as(tenant.body()).isEqualTo(201);
            String tenantId = JSON.readTree(tenant.body()).get("tenantId").asString();
            long afterTenant = position(tenant);
            assertThat(afterTenant).isGreaterThan(previous);
            HttpResponse<String> key = send("POST", commandPort, "/admin/v1/tenants/" + tenantId + "/api-keys", "{\"name\":\"k\"}", null);
            assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
            String keyId = JSON.readTree(key.body()).get("apiKeyId").asString();
            long afterKey = position(key);
            assertThat(afterKey).isGreaterThan(afterTenant);
            previous = afterKey;

            // without the header: may miss (the read models lag the command); counted, not asserted
            HttpResponse<String> eager = send("GET", queryPort, "/admin/v1/tenants/" + tenantId + "/api-keys", null, null);
            if (eager.statusCode() != 200 || !eager.body().contains(keyId)) {
                missedWithout++;
            }
            // with it: the tenant and the key are always there
            long t0 = System.nanoTime();
            HttpResponse<String> keys = send("GET", queryPort, "/admin/v1/tenants/" + tenantId + "/api-keys", null,
                    Long.toString(afterKey));
            waitedNanos += System.nanoTime() - t0;
            assertThat(keys.statusCode()).as(keys.body()).isEqualTo(200);
            JsonNode items = JSON.readTree(keys.body()).get("items");
            assertThat(items).hasSize(1);
            assertThat(items.get(0).get("apiKeyId").asString()).isEqualTo(keyId);
            assertThat(Long.parseLong(keys.headers().firstValue("LLMProxy-Projection-Position").orElseThrow()))
                    .isGreaterThanOrEqualTo(afterKey);
            HttpResponse<String> read = send("GET", queryPort, "/admin/v1/tenants/" + tenantId, null, Long.toString(afterTenant));
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            assertThat(JSON.readTree(read.body()).get("name").asString()).isEqualTo("ryw-" + i);
            // the audit read model waits too: the key's history has its ApiKeyIssued row
            HttpResponse<String> history = send("GET", queryPort, "/admin/v1/tenants/" + tenantId + "/api-keys/" + keyId + "/history",
                    null, Long.toString(afterKey));
            assertThat(history.statusCode()).as(history.body()).isEqualTo(200);
            assertThat(history.body()).contains("ApiKeyIssued");
        }
        System.out.printf("[e2e-ryw] %d create-then-read rounds: 0 misses with LLMProxy-Min-Position (mean read %.0f ms), %d without%n",
                rounds, waitedNanos / 1e6 / rounds, missedWithout);
    }

    @Test
    void aPositionNotReachedInTimeIs503AndAMalformedOneIs400() throws Exception {
        HttpResponse<String> far = send("GET", queryPort, "/admin/v1/prices", null, "999999999999");
        assertThat(far.statusCode()).as(far.body()).isEqualTo(503);
        assertThat(JSON.readTree(far.body()).get("code").asString()).isEqualTo("consistency_timeout");
        assertThat(far.headers().firstValue("Retry-After")).contains("1");
        assertThat(far.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        for (String bad : new String[] {"-1", "abc", "1e3", "12345678901234567890", "0x10"}) {
            HttpResponse<String> r = send("GET", queryPort, "/admin/v1/prices", null, bad);
            assertThat(r.statusCode()).as(bad + ": " + r.body()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("code").asString()).isEqualTo("invalid_LLMProxy-Min-Position");
        }
        // reads and failed commands carry no position
        assertThat(send("GET", queryPort, "/admin/v1/prices", null, null).headers().firstValue("LLMProxy-Event-Position")).isEmpty();
        HttpResponse<String> refused = send("POST", commandPort, "/admin/v1/tenants", "{\"name\":\"\"}", null);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.headers().firstValue("LLMProxy-Event-Position")).isEmpty();
    }
}
