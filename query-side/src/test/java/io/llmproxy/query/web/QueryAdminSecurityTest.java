package io.llmproxy.query.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.AdminEndpoints;
import io.llmproxy.testsupport.AdminEndpoints.Endpoint;
import io.llmproxy.testsupport.LocalPostgres;
import io.llmproxy.testsupport.PathVariant;
import io.llmproxy.testsupport.RawHttp;
import io.llmproxy.testsupport.SlowBodies;
import io.llmproxy.testsupport.TcpForwarder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 9, parts 1 and 5 (query-side): every endpoint × every {@link PathVariant} without the
 * right token is 401/400 problem JSON and changes no read model; {@code /error}; Tomcat's own
 * errors as JSON; reads answer 503 {@code store_unavailable} with {@code Retry-After} while
 * PostgreSQL is unreachable (the app's datasource goes through a {@link TcpForwarder}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.query.admin-token=test-admin-token",
        // few platform threads, so that holding one per slow client would show at once
        "server.tomcat.threads.max=10",
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class QueryAdminSecurityTest {

    static final String TOKEN = "Authorization: Bearer test-admin-token";
    static final List<String> NOT_THE_TOKEN = Arrays.asList(null, "Authorization: Bearer wrong-token",
            "Authorization: Bearer test-admin-tokenX", "Authorization: Basic dGVzdC1hZG1pbi10b2tlbjo=");
    static TcpForwarder forwarder;
    static String directUrl;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) throws Exception {
        directUrl = LocalPostgres.freshDatabase("llmproxy_query_security");
        forwarder = new TcpForwarder(LocalPostgres.host(), Integer.parseInt(LocalPostgres.port()));
        String proxied = directUrl.replace(LocalPostgres.host() + ":" + LocalPostgres.port(), "127.0.0.1:" + forwarder.port());
        registry.add("spring.datasource.url", () -> proxied);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
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
    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mapping;

    /**
     * Written by the instance itself on a timer, whatever requests come (ADR 0022): the segment
     * steward's heartbeat and reported positions. Left out of the counts.
     */
    static final java.util.Set<String> HOUSEKEEPING = java.util.Set.of("projection_node", "projection_segment_position");

    /** Row count of every table of the app's database but {@link #HOUSEKEEPING}, read directly (not through the forwarder). */
    static Map<String, Long> rowCounts() throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(directUrl, LocalPostgres.user(), LocalPostgres.password());
             Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables "
                    + "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            tables.removeAll(HOUSEKEEPING);
            for (String table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM \"" + table + "\"")) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    static List<SlowBodies.Kind> slowBodies() {
        return SlowBodies.kinds(TOKEN);
    }

    /**
     * Thirty clients announcing a body and sending one byte of it (more than the ten platform threads
     * this test gives Tomcat): an authenticated read and the health probe are still answered, since a
     * request waits for its body on a virtual thread, and a body left unread after a 401 is not
     * swallowed past 8 KiB (attacker pass of 2026-12-07: 200 such clients stopped query-side).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("slowBodies")
    void slowRequestBodiesHoldNoThreadOthersNeed(SlowBodies.Kind kind) throws Exception {
        try (SlowBodies slow = SlowBodies.open(port, "/admin/v1/projections/admin-read-model/replay", kind, 30)) {
            RawHttp.Answer read = RawHttp.send(port, "GET", "/admin/v1/tenants", null, TOKEN);
            assertThat(read.status()).as(read.body()).isEqualTo(200);
            assertThat(RawHttp.send(port, "GET", "/actuator/health/liveness", null).status()).isEqualTo(200);
            assertThat(slow.size()).isEqualTo(30);
        }
    }

    @ParameterizedTest
    @EnumSource(PathVariant.class)
    void noPathVariantReachesAHandlerWithoutTheToken(PathVariant variant) throws Exception {
        List<Endpoint> endpoints = AdminEndpoints.of(mapping);
        assertThat(endpoints).extracting(Endpoint::toString).contains("GET /finance/v1/usage", "GET /audit/v1/events",
                "POST /admin/v1/projections/{name}/replay", "GET /admin/v1/tenants/{tenantId}/api-keys");
        Map<String, Long> before = rowCounts();
        assertThat(before).containsKeys("rm_tenant", "rm_api_key", "audit_log");
        SoftAssertions soft = new SoftAssertions();
        for (Endpoint endpoint : endpoints) {
            String target = variant.apply(endpoint.path());
            for (String authorization : NOT_THE_TOKEN) {
                String[] headers = authorization == null ? new String[0] : new String[] {authorization};
                RawHttp.Answer answer = RawHttp.send(port, endpoint.method(), target, endpoint.body(), headers);
                String what = endpoint.method() + " " + target + " [" + authorization + "] → " + answer.status() + " " + answer.body();
                soft.assertThat(answer.status()).as(what).isIn(400, 401);
                soft.assertThat(answer.header("content-type")).as(what).startsWith("application/problem+json");
                JsonNode problem = json.readTree(answer.body());
                soft.assertThat(problem.get("code").asString()).as(what).isIn("unauthorized", "invalid_path", "bad_request");
                if (answer.status() == 401) {
                    soft.assertThat(answer.header("www-authenticate")).as(what).isEqualTo("Bearer");
                }
            }
        }
        soft.assertThat(rowCounts()).as("read model row counts").isEqualTo(before);
        soft.assertAll();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/admin/v1/prices", "/finance/v1/usage", "/audit/v1/events?tenantId=7c1d5b0e-0000-4000-8000-000000000001"})
    void theRightTokenStillGets2xxOnTheNormalPath(String path) throws Exception {
        RawHttp.Answer answer = RawHttp.send(port, "GET", path, null, TOKEN);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.header("content-type")).startsWith("application/json");
    }

    @Test
    void controlCharactersInAQueryParameterAre400NamingItAfterAuthentication() throws Exception {
        RawHttp.Answer anonymous = RawHttp.send(port, "GET", "/finance/v1/usage?model=a%00b", null);
        assertThat(anonymous.status()).isEqualTo(401);
        RawHttp.Answer answer = RawHttp.send(port, "GET", "/finance/v1/usage?model=a%00b", null, TOKEN);
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        JsonNode problem = json.readTree(answer.body());
        assertThat(problem.get("field").asString()).isEqualTo("model");
        assertThat(problem.get("code").asString()).isEqualTo("invalid_model");
    }

    @Test
    void errorPathIs401WithoutAndA404ProblemWithTheToken() throws Exception {
        assertThat(RawHttp.send(port, "GET", "/error", null).status()).isEqualTo(401);
        RawHttp.Answer answer = RawHttp.send(port, "GET", "/error", null, TOKEN);
        assertThat(answer.status()).as(answer.body()).isEqualTo(404);
        assertThat(json.readTree(answer.body()).get("code").asString()).isEqualTo("no_such_endpoint");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "invalid method|GE@T /finance/v1/usage HTTP/1.1|400|bad_request",
            "HTTP/2.5|GET /finance/v1/usage HTTP/2.5|505|http_version_not_supported",
            "bad request line|GET /finance/v1/us age HTTP/1.1|400|bad_request",
            "encoded slash|GET /finance%2Fv1/usage HTTP/1.1|400|bad_request"})
    void tomcatsOwnErrorsAreJsonWithoutServerInfo(String name, String requestLine, int status, String code) throws Exception {
        String request = requestLine + "\r\nHost: 127.0.0.1\r\n" + TOKEN + "\r\nConnection: close\r\n\r\n";
        RawHttp.Answer answer = RawHttp.sendBytes(port, request.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(answer.status()).as(answer.raw()).isEqualTo(status);
        assertThat(answer.raw()).doesNotContainIgnoringCase("<html").doesNotContain("Tomcat");
        assertThat(answer.header("content-type")).as(answer.raw()).startsWith("application/problem+json");
        assertThat(json.readTree(answer.body()).get("status").asInt()).isEqualTo(status);
        assertThat(json.readTree(answer.body()).get("code").asString()).isEqualTo(code);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"})
    void healthAndTheKubernetesProbesAreOpen(String path) throws Exception {
        RawHttp.Answer answer = RawHttp.send(port, "GET", path, null);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(json.readTree(answer.body()).get("status").asString()).isEqualTo("UP");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/actuator", "/actuator/env", "/actuator/shutdown", "/actuator/beans", "/actuator/healthz",
            "/actuator/health-liveness", "/actuator/livez", "/livez", "/readyz", "/actuator/prometheus"})
    void nothingElseUnderTheActuatorIsOpen(String path) throws Exception {
        RawHttp.Answer answer = RawHttp.send(port, "GET", path, null);
        assertThat(answer.status()).as(answer.body()).isEqualTo(401);
        assertThat(json.readTree(answer.body()).get("code").asString()).isEqualTo("unauthorized");
    }

    /** The readiness group includes PostgreSQL (infra/k8s takes the pod out of its Service); liveness does not. */
    @Test
    void readinessIsDownWhilePostgresIsDownLivenessStaysUp() throws Exception {
        forwarder.stop();
        Thread.sleep(600);
        RawHttp.Answer readiness = RawHttp.send(port, "GET", "/actuator/health/readiness", null);
        assertThat(readiness.status()).as(readiness.body()).isEqualTo(503);
        assertThat(json.readTree(readiness.body()).get("status").asString()).isEqualTo("DOWN");
        RawHttp.Answer liveness = RawHttp.send(port, "GET", "/actuator/health/liveness", null);
        assertThat(liveness.status()).as(liveness.body()).isEqualTo(200);
        assertThat(json.readTree(liveness.body()).get("status").asString()).isEqualTo("UP");
        forwarder.start();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> RawHttp.send(port, "GET", "/actuator/health/readiness", null).status() == 200);
    }

    /** Reads of every kind with PostgreSQL unreachable: 503 with Retry-After, then 200 once it is back. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/admin/v1/prices", "/finance/v1/usage", "/admin/v1/tenants/7c1d5b0e-0000-4000-8000-000000000001",
            "/audit/v1/events?tenantId=7c1d5b0e-0000-4000-8000-000000000001", "/finance/v1/reconciliation?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"})
    void readsAnswer503WithRetryAfterWhilePostgresIsDown(String path) throws Exception {
        forwarder.stop();
        // past Hikari's 0.5 s window, a pooled connection is validated (and found dead) before use
        Thread.sleep(600);
        RawHttp.Answer answer = RawHttp.send(port, "GET", path, null, TOKEN);
        assertThat(answer.status()).as(answer.body()).isEqualTo(503);
        assertThat(answer.header("retry-after")).isEqualTo("5");
        assertThat(json.readTree(answer.body()).get("code").asString()).isEqualTo("store_unavailable");
        forwarder.start();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
            RawHttp.Answer again = RawHttp.send(port, "GET", "/admin/v1/prices", null, TOKEN);
            assertThat(again.status()).as(again.body()).isIn(200, 503);
            return again.status() == 200;
        });
    }
}
