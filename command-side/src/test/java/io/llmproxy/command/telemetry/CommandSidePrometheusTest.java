package io.llmproxy.command.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * command-side's Prometheus exposition (issue #12): {@code /actuator/prometheus} is served behind the admin auth
 * (401 without a token, 200 with a PlatformAdmin one) and counts the admin API's requests: after two tenants
 * are created, the request timer of {@code POST /admin/v1/tenants} with status 201 has count 2.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.admin.token=test-admin-token"})
class CommandSidePrometheusTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_command_prometheus_it", registry::add);
        registry.add("llmproxy.admin.secret-key", () -> Base64.getEncoder().encodeToString(new byte[32]));
    }

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void prometheusNeedsTheAdminTokenAndCountsAdminRequests() throws Exception {
        assertThat(send("GET", "/actuator/prometheus", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/actuator/prometheus", "wrong", null).statusCode()).isEqualTo(401);
        for (String name : new String[] {"acme", "globex"}) {
            HttpResponse<String> r = send("POST", "/admin/v1/tenants", "test-admin-token", "{\"name\":\"" + name + "\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        }
        HttpResponse<String> scrape = send("GET", "/actuator/prometheus", "test-admin-token", null);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String line = scrape.body().lines().filter(l -> l.startsWith("http_server_requests_seconds_count{")
                && l.contains("method=\"POST\"") && l.contains("uri=\"/admin/v1/tenants\"") && l.contains("status=\"201\""))
                .findFirst().orElseThrow(() -> new AssertionError(scrape.body()));
        assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).as(line).isEqualTo(2.0);
        assertThat(scrape.body()).contains("jvm_memory_used_bytes{", "process_cpu_usage ");
    }
}
