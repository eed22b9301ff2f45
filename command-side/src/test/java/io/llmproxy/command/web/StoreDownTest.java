package io.llmproxy.command.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.testsupport.LocalPostgres;
import io.llmproxy.testsupport.RawHttp;
import io.llmproxy.testsupport.TcpForwarder;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 9, part 5 (command-side): with PostgreSQL unreachable (the app's datasource goes through a
 * {@link TcpForwarder} this test stops; the shared PostgreSQL is never touched) every admin command
 * answers 503 problem JSON {@code store_unavailable} with {@code Retry-After}, and a dropped pooled
 * connection is replaced rather than answered with a 500.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.admin.token=test-admin-token"})
class StoreDownTest {

    static final String TOKEN = "Authorization: Bearer test-admin-token";
    static final String JSON = "Content-Type: application/json";
    static TcpForwarder forwarder;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) throws Exception {
        String url = LocalPostgres.freshDatabase("llmproxy_command_storedown");
        forwarder = new TcpForwarder(LocalPostgres.host(), Integer.parseInt(LocalPostgres.port()));
        String proxied = url.replace(LocalPostgres.host() + ":" + LocalPostgres.port(), "127.0.0.1:" + forwarder.port());
        registry.add("spring.datasource.url", () -> proxied);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.admin.secret-key", () -> Base64.getEncoder().encodeToString(new byte[32]));
    }

    @AfterAll
    static void closeForwarder() {
        forwarder.close();
    }

    @AfterEach
    void storeBack() throws Exception {
        forwarder.start();
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;

    String tenant() throws Exception {
        RawHttp.Answer created = RawHttp.send(port, "POST", "/admin/v1/tenants", "{\"name\":\"acme\"}", TOKEN, JSON);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return json.readTree(created.body()).get("tenantId").asString();
    }

    /** Commands that create, load and change aggregates, with PostgreSQL down: 503, then served again once it is back. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "POST|/admin/v1/tenants|{\"name\":\"down\"}",
            "PUT|/admin/v1/tenants/{t}|{\"name\":\"renamed\"}",
            "POST|/admin/v1/tenants/{t}/api-keys|{\"name\":\"ci\"}",
            "POST|/admin/v1/tenants/{t}/suspend|",
            "PUT|/admin/v1/tenants/{t}/quota|{\"requestsPerMinute\":5}",
            "POST|/admin/v1/providers|{\"name\":\"sim\",\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:5100/v1\",\"apiKey\":\"k\"}",
            "PUT|/admin/v1/routes/m1|{\"targets\":[{\"providerId\":\"p\",\"model\":\"m\"}]}"})
    void commandsAnswer503WithRetryAfterWhilePostgresIsDown(String method, String path, String body) throws Exception {
        String target = path.replace("{t}", tenant());
        forwarder.stop();
        // past Hikari's 0.5 s window, a pooled connection is validated (and found dead) before use
        Thread.sleep(600);
        RawHttp.Answer answer = body == null ? RawHttp.send(port, method, target, null, TOKEN)
                : RawHttp.send(port, method, target, body, TOKEN, JSON);
        assertThat(answer.status()).as(answer.body()).isEqualTo(503);
        assertThat(answer.header("content-type")).startsWith("application/problem+json");
        assertThat(answer.header("retry-after")).isEqualTo("5");
        JsonNode problem = json.readTree(answer.body());
        assertThat(problem.get("code").asString()).isEqualTo("store_unavailable");
        assertThat(problem.get("status").asInt()).isEqualTo(503);
        assertThat(answer.body()).doesNotContain("Exception", "jdbc", "5432");
        forwarder.start();
        // Hikari retries its connection with a back-off of up to 5 s: until then 503 again, never another status
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
            RawHttp.Answer again = RawHttp.send(port, "POST", "/admin/v1/tenants", "{\"name\":\"back\"}", TOKEN, JSON);
            assertThat(again.status()).as(again.body()).isIn(201, 503);
            return again.status() == 201;
        });
    }

    @Test
    void aDroppedPooledConnectionIsReplacedNotA500() throws Exception {
        tenant();
        for (int i = 0; i < 3; i++) {
            forwarder.dropConnections();
            // Hikari validates a connection idle for more than 0.5 s before handing it out
            Thread.sleep(600);
            RawHttp.Answer created = RawHttp.send(port, "POST", "/admin/v1/tenants", "{\"name\":\"after-drop\"}", TOKEN, JSON);
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
    }
}
