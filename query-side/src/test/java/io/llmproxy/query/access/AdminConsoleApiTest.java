package io.llmproxy.query.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Instant;
import org.junit.jupiter.api.Test;
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
 * What the admin console (issue #13) needs of query-side: CORS preflights from the console's
 * origin only ({@code llmproxy.admin.ui-origins}), {@code GET /admin/v1/me} and the paged
 * {@code GET /admin/v1/tenants}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.query.admin-token=test-admin-token",
        "llmproxy.admin.ui-origins=http://localhost:3000, http://console.example:8443",
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class AdminConsoleApiTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_query_console", registry::add);
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    JsonMapper json;
    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> preflight(String origin, String method) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/v1/tenants"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", "authorization,content-type").build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String origin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer test-admin-token");
        if (origin != null) {
            request.header("Origin", origin);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPreflightFromTheConsolesOriginPassesWithoutAToken() throws Exception {
        for (String origin : new String[] {"http://localhost:3000", "http://console.example:8443"}) {
            HttpResponse<String> r = preflight(origin, "POST");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains(origin);
            assertThat(r.headers().firstValue("Access-Control-Allow-Methods")).contains("GET,POST,PUT,DELETE");
            assertThat(r.headers().firstValue("Access-Control-Allow-Headers").orElseThrow().toLowerCase())
                    .contains("authorization").contains("content-type");
            assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
            assertThat(r.headers().firstValue("Access-Control-Max-Age")).contains("600");
        }
    }

    @Test
    void aPreflightFromAnotherOriginOrForAnotherMethodIsRefused() throws Exception {
        for (String origin : new String[] {"http://localhost:3001", "https://localhost:3000", "http://evil.example"}) {
            HttpResponse<String> r = preflight(origin, "GET");
            assertThat(r.statusCode()).as(origin).isEqualTo(403);
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).as(origin).isEmpty();
        }
        assertThat(preflight("http://localhost:3000", "PATCH").statusCode()).isEqualTo(403);
    }

    @Test
    void anAnswerToTheConsoleNamesItsOriginAndAnotherOriginsRequestIsRefused() throws Exception {
        HttpResponse<String> allowed = get("/admin/v1/me", "http://localhost:3000");
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains("http://localhost:3000");
        HttpResponse<String> refused = get("/admin/v1/me", "http://evil.example");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void meNamesTheCallerAndItsRoleAssignmentsInForce() throws Exception {
        jdbc.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES ('t-me', 'Acme Me', now(), 1)"
                + " ON CONFLICT DO NOTHING");
        jdbc.update("DELETE FROM rm_role_assignment WHERE principal = 'bootstrap-token'");
        jdbc.update("""
                INSERT INTO rm_role_assignment (assignment_id, principal, role, tenant_id, source, user_id, valid_from,
                    valid_to, from_event_id, to_event_id, from_index, to_index) VALUES
                ('user:u-1/TenantAdmin', 'bootstrap-token', 'TenantAdmin', 't-me', 'user', 'u-1', now(), NULL, 'e1', NULL, 1, NULL),
                ('a-2', 'bootstrap-token', 'Auditor', 't-me', 'command', NULL, now() - interval '2 days', now() - interval '1 day',
                 'e2', 'e3', 2, 3)""");
        HttpResponse<String> r = get("/admin/v1/me", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode me = json.readTree(r.body());
        assertThat(me.get("principal").asString()).isEqualTo("bootstrap-token");
        assertThat(me.get("platformAdmin").asBoolean()).isTrue();
        assertThat(me.get("roles")).hasSize(1);
        JsonNode role = me.get("roles").get(0);
        assertThat(role.get("role").asString()).isEqualTo("TenantAdmin");
        assertThat(role.get("scope").asString()).isEqualTo("tenant:t-me");
        assertThat(role.get("tenantId").asString()).isEqualTo("t-me");
        assertThat(role.get("tenantName").asString()).isEqualTo("Acme Me");
        assertThat(role.get("userId").asString()).isEqualTo("u-1");
    }

    @Test
    void tenantsArePagedNewestFirst() throws Exception {
        Instant base = Instant.parse("2030-01-01T00:00:00Z");
        for (int i = 1; i <= 3; i++) {
            jdbc.update("INSERT INTO rm_tenant (tenant_id, name, status, created_at, change_index) VALUES (?, ?, ?, ?, 1)",
                    "t-page-" + i, "Tenant " + i, i == 2 ? "SUSPENDED" : "ACTIVE", Timestamp.from(base.plusSeconds(i)));
        }
        // the console's list: newest first (ADR 0021's paging: page, size, sort)
        JsonNode first = json.readTree(get("/admin/v1/tenants?size=2&sort=createdAt,desc", null).body());
        assertThat(first.get("page").get("size").asInt()).isEqualTo(2);
        assertThat(first.get("items")).extracting(n -> n.get("tenantId").asString()).containsExactly("t-page-3", "t-page-2");
        assertThat(first.get("items").get(1).get("status").asString()).isEqualTo("SUSPENDED");
        assertThat(first.get("items").get(1).get("name").asString()).isEqualTo("Tenant 2");
        assertThat(first.get("page").get("number").asInt()).isZero();
        JsonNode second = json.readTree(get("/admin/v1/tenants?size=2&page=1&sort=createdAt,desc", null).body());
        assertThat(second.get("items").get(0).get("tenantId").asString()).isEqualTo("t-page-1");
        HttpResponse<String> tooMany = get("/admin/v1/tenants?size=201", null);
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(tooMany.body()).contains("size must be between 1 and 200");
    }
}
