package io.llmproxy.command.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.testsupport.AdminEndpoints;
import io.llmproxy.testsupport.AdminEndpoints.Endpoint;
import io.llmproxy.testsupport.LocalPostgres;
import io.llmproxy.testsupport.PathVariant;
import io.llmproxy.testsupport.RawHttp;
import io.llmproxy.testsupport.SlowBodies;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 9, part 1 (command-side): no way of writing a path lets a request without the right token
 * reach a handler. Every endpoint of the app (read from its handler mapping, so new ones are
 * covered) × every {@link PathVariant} × {no token, wrong tokens}: 401 or 400 problem JSON, never
 * 2xx, and the event store keeps its row count.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.admin.token=test-admin-token",
        // few platform threads, so that holding one per slow client would show at once
        "server.tomcat.threads.max=10"})
class AdminAuthBypassTest {

    /** Authorization headers that must not authenticate (null = no header). */
    static final List<String> NOT_THE_TOKEN = java.util.Arrays.asList(null, "Authorization: Bearer wrong-token",
            "Authorization: Bearer test-admin-tokenX", "Authorization: Basic dGVzdC1hZG1pbi10b2tlbjo=");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_command_auth", registry::add);
        registry.add("llmproxy.admin.secret-key", () -> Base64.getEncoder().encodeToString(new byte[32]));
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    JsonMapper json;
    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mapping;

    long events() {
        return jdbc.queryForObject("SELECT count(*) FROM domainevententry", Long.class);
    }

    static List<SlowBodies.Kind> slowBodies() {
        return SlowBodies.kinds("Authorization: Bearer test-admin-token");
    }

    /**
     * Thirty clients announcing a body and sending one byte of it: an authenticated command and the
     * health probe are still answered (virtual threads; at most 8 KiB of an unread body swallowed).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("slowBodies")
    void slowRequestBodiesHoldNoThreadOthersNeed(SlowBodies.Kind kind) throws Exception {
        try (SlowBodies slow = SlowBodies.open(port, "/admin/v1/tenants", kind, 30)) {
            RawHttp.Answer created = RawHttp.send(port, "POST", "/admin/v1/tenants", "{\"name\":\"served-meanwhile\"}",
                    "Authorization: Bearer test-admin-token", "Content-Type: application/json");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(RawHttp.send(port, "GET", "/actuator/health/liveness", null).status()).isEqualTo(200);
            assertThat(slow.size()).isEqualTo(30);
        }
    }

    @ParameterizedTest
    @EnumSource(PathVariant.class)
    void noPathVariantReachesAHandlerWithoutTheToken(PathVariant variant) throws Exception {
        List<Endpoint> endpoints = AdminEndpoints.of(mapping);
        assertThat(endpoints).extracting(Endpoint::toString)
                .contains("POST /admin/v1/tenants", "PUT /admin/v1/routes/{*model}", "POST /admin/v1/prices");
        long before = events();
        SoftAssertions soft = new SoftAssertions();
        List<String> seen = new ArrayList<>();
        for (Endpoint endpoint : endpoints) {
            String target = variant.apply(endpoint.path());
            for (String authorization : NOT_THE_TOKEN) {
                List<String> headers = new ArrayList<>();
                if (authorization != null) {
                    headers.add(authorization);
                }
                if (endpoint.body() != null) {
                    headers.add("Content-Type: application/json");
                }
                RawHttp.Answer answer = RawHttp.send(port, endpoint.method(), target, endpoint.body(), headers.toArray(String[]::new));
                String what = endpoint.method() + " " + target + " [" + authorization + "] → " + answer.status() + " " + answer.body();
                seen.add(what);
                soft.assertThat(answer.status()).as(what).isIn(400, 401);
                soft.assertThat(answer.header("content-type")).as(what).startsWith("application/problem+json");
                JsonNode problem = json.readTree(answer.body());
                soft.assertThat(problem.get("status").asInt()).as(what).isEqualTo(answer.status());
                soft.assertThat(problem.get("code").asString()).as(what).isIn("unauthorized", "invalid_path", "bad_request");
                if (answer.status() == 401) {
                    soft.assertThat(answer.header("www-authenticate")).as(what).isEqualTo("Bearer");
                }
                soft.assertThat(answer.raw()).as(what).doesNotContain("<html", "Tomcat", "Exception");
            }
        }
        soft.assertThat(events()).as("event store rows").isEqualTo(before);
        soft.assertAll();
        assertThat(seen).hasSize(endpoints.size() * NOT_THE_TOKEN.size());
    }

    @Test
    void theRightTokenStillGets2xxOnTheNormalPath() throws Exception {
        long before = events();
        RawHttp.Answer created = RawHttp.send(port, "POST", "/admin/v1/tenants", "{\"name\":\"acme\"}",
                "Authorization: Bearer test-admin-token", "Content-Type: application/json");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(json.readTree(created.body()).get("tenantId").asString()).hasSize(36);
        assertThat(events()).isEqualTo(before + 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/actuator/health", "/actuator/info", "/actuator/health/liveness", "/actuator/health/readiness"})
    void onlyHealthAndInfoAreOpen(String path) throws Exception {
        RawHttp.Answer answer = RawHttp.send(port, "GET", path, null);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.header("content-type")).contains("json");
        if (path.startsWith("/actuator/health")) {
            assertThat(json.readTree(answer.body()).get("status").asString()).isEqualTo("UP");
        }
    }

    /** The Kubernetes probes (infra/k8s): liveness is the app's own state, readiness includes PostgreSQL. */
    @Test
    void probeGroupsAreTheConfiguredOnes() throws Exception {
        RawHttp.Answer readiness = RawHttp.send(port, "GET", "/actuator/health/readiness", null);
        assertThat(readiness.status()).as(readiness.body()).isEqualTo(200);
        RawHttp.Answer health = RawHttp.send(port, "GET", "/actuator/health", null);
        // the groups are listed on the root health answer; no component details to anonymous callers
        assertThat(json.readTree(health.body()).get("groups").toString()).isEqualTo("[\"liveness\",\"readiness\"]");
        assertThat(health.body()).doesNotContain("jdbc", "postgres");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/error", "/nothing-here", "/actuator/env", "/actuator/metrics", "/actuator/prometheus", "/actuator", "/",
            "/actuator/shutdown", "/actuator/beans", "/actuator/healthz", "/actuator/health-liveness", "/actuator/livez",
            "/actuator/readyz", "/livez", "/readyz", "/actuator/configprops", "/actuator/threaddump"})
    void everythingElseNeedsTheToken(String path) throws Exception {
        RawHttp.Answer answer = RawHttp.send(port, "GET", path, null);
        assertThat(answer.status()).as(answer.body()).isEqualTo(401);
        assertThat(json.readTree(answer.body()).get("code").asString()).isEqualTo("unauthorized");
    }
}
