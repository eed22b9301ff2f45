package io.llmproxy.command.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.kernel.access.AssignRole;
import io.llmproxy.kernel.access.Role;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code /admin/v1/role-assignments} over HTTP on the real PostgreSQL: status codes, problem JSON, stored events and actor. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.admin.token=test-admin-token"})
class RoleAssignmentApiTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_roles_api_it", registry::add);
        registry.add("llmproxy.admin.secret-key", () -> Base64.getEncoder().encodeToString(new byte[32]));
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;
    @Autowired
    JdbcTemplate jdbc;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-Actor", "alice@example.org")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(method, path, body, "test-admin-token");
    }

    JsonNode body(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return json.readTree(response.body());
    }

    JsonNode problem(HttpResponse<String> response, int status) {
        JsonNode body = body(response, status);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("application/problem+json");
        return body;
    }

    @Test
    void assignIsCreatedThenIdempotentRemoveIs204ThenNotFound() throws Exception {
        String tenantId = body(send("POST", "/admin/v1/tenants", "{\"name\":\"Acme\"}"), 201).get("tenantId").asString();

        JsonNode created = body(send("POST", "/admin/v1/role-assignments",
                "{\"principal\":\"Ada@Example.org\",\"role\":\"Developer\",\"tenantId\":\"" + tenantId + "\"}"), 201);
        String id = AssignRole.idOf("ada@example.org", Role.Developer, tenantId);
        assertThat(created.toString()).isEqualTo("{\"assignmentId\":\"" + id + "\",\"principal\":\"ada@example.org\","
                + "\"role\":\"Developer\",\"tenantId\":\"" + tenantId + "\",\"scope\":\"tenant:" + tenantId + "\"}");
        JsonNode again = body(send("POST", "/admin/v1/role-assignments",
                "{\"principal\":\"ada@example.org\",\"role\":\"Developer\",\"tenantId\":\"" + tenantId + "\"}"), 200);
        assertThat(again.get("assignmentId").asString()).isEqualTo(id);

        JsonNode platform = body(send("POST", "/admin/v1/role-assignments",
                "{\"principal\":\"platform-admin\",\"role\":\"PlatformAdmin\"}"), 201);
        assertThat(platform.get("scope").asString()).isEqualTo("platform");
        assertThat(platform.get("tenantId").isNull()).isTrue();

        assertThat(events(id)).containsExactly("RoleAssigned");
        String payload = jdbc.queryForObject("SELECT convert_from(payload, 'UTF8') FROM domainevententry "
                + "WHERE aggregateidentifier = ? AND sequencenumber = 0", String.class, id);
        assertThat(payload).contains("\"principal\":\"ada@example.org\"", "\"role\":\"Developer\"", "\"tenantId\":\"" + tenantId + "\"");
        assertThat(jdbc.queryForObject("SELECT convert_from(metadata, 'UTF8') FROM domainevententry "
                + "WHERE aggregateidentifier = ? AND sequencenumber = 0", String.class, id))
                .contains("\"actor\":\"bootstrap-token\"", "\"actorDeclared\":\"alice@example.org\"");
        assertThat(jdbc.queryForObject("SELECT payloadrevision FROM domainevententry WHERE aggregateidentifier = ?",
                String.class, id)).isEqualTo("1");

        assertThat(send("DELETE", "/admin/v1/role-assignments/" + id, null).statusCode()).isEqualTo(204);
        assertThat(events(id)).containsExactly("RoleAssigned", "RoleAssignmentRemoved");
        JsonNode gone = problem(send("DELETE", "/admin/v1/role-assignments/" + id, null), 404);
        assertThat(gone.get("code").asString()).isEqualTo("not_found");
        assertThat(gone.get("field").asString()).isEqualTo("assignmentId");
        assertThat(problem(send("DELETE", "/admin/v1/role-assignments/" + tenantId, null), 404).get("field").asString())
                .isEqualTo("assignmentId");
        // assigned again after removal: same id, a new period
        assertThat(body(send("POST", "/admin/v1/role-assignments",
                "{\"principal\":\"ada@example.org\",\"role\":\"Developer\",\"tenantId\":\"" + tenantId + "\"}"), 201)
                .get("assignmentId").asString()).isEqualTo(id);
        assertThat(events(id)).containsExactly("RoleAssigned", "RoleAssignmentRemoved", "RoleAssigned");
    }

    @Test
    void badRequestsAre400NamingTheFieldAndUnknownTenantsAre404() throws Exception {
        String tenantId = body(send("POST", "/admin/v1/tenants", "{\"name\":\"Beta\"}"), 201).get("tenantId").asString();
        String providerId = body(send("POST", "/admin/v1/providers",
                "{\"name\":\"sim\",\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:5100/v1\",\"apiKey\":\"sk-x\"}"), 201)
                .get("providerId").asString();
        Map<String, String> cases = Map.ofEntries(
                Map.entry("{\"role\":\"Developer\",\"tenantId\":\"" + tenantId + "\"}", "principal"),
                Map.entry("{\"principal\":\"a b\",\"role\":\"Developer\",\"tenantId\":\"" + tenantId + "\"}", "principal"),
                Map.entry("{\"principal\":\"a\\u0000b\",\"role\":\"Developer\",\"tenantId\":\"" + tenantId + "\"}", "principal"),
                Map.entry("{\"principal\":\"" + "a".repeat(256) + "\",\"role\":\"Developer\",\"tenantId\":\"" + tenantId + "\"}", "principal"),
                Map.entry("{\"principal\":42,\"role\":\"Developer\"}", "principal"),
                Map.entry("{\"principal\":\"ada\",\"role\":\"Owner\",\"tenantId\":\"" + tenantId + "\"}", "role"),
                Map.entry("{\"principal\":\"ada\",\"role\":1,\"tenantId\":\"" + tenantId + "\"}", "role"),
                Map.entry("{\"principal\":\"ada\",\"tenantId\":\"" + tenantId + "\"}", "role"),
                Map.entry("{\"principal\":\"ada\",\"role\":\"PlatformAdmin\",\"tenantId\":\"" + tenantId + "\"}", "role"),
                Map.entry("{\"principal\":\"ada\",\"role\":\"Auditor\"}", "role"),
                Map.entry("{\"principal\":\"ada\",\"role\":\"Auditor\",\"tenantId\":\"\"}", "tenantId"),
                Map.entry("{\"principal\":\"ada\",\"role\":\"Auditor\",\"tenantId\":\"" + tenantId + "\",\"scope\":\"x\"}", "scope"));
        for (var c : cases.entrySet()) {
            JsonNode p = problem(send("POST", "/admin/v1/role-assignments", c.getKey()), 400);
            assertThat(p.get("field").asString()).as(c.getKey()).isEqualTo(c.getValue());
            assertThat(p.get("code").asString()).as(c.getKey()).isEqualTo("invalid_" + c.getValue());
        }
        for (String unknown : List.of("7c1d5b0e-0000-4000-8000-00000000dead", providerId)) {
            JsonNode p = problem(send("POST", "/admin/v1/role-assignments",
                    "{\"principal\":\"ada\",\"role\":\"Auditor\",\"tenantId\":\"" + unknown + "\"}"), 404);
            assertThat(p.get("field").asString()).as(unknown).isEqualTo("tenantId");
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM domainevententry WHERE payloadtype LIKE '%RoleAssigned' "
                + "AND convert_from(payload, 'UTF8') LIKE '%\"principal\":\"ada\"%'", Long.class))
                .isZero();
        assertThat(send("POST", "/admin/v1/role-assignments", "{\"principal\":\"ada\",\"role\":\"PlatformAdmin\"}", null)
                .statusCode()).isEqualTo(401);
        assertThat(send("DELETE", "/admin/v1/role-assignments/x", null, "wrong").statusCode()).isEqualTo(401);
    }

    /**
     * The kind behind "a provider id given as a tenant id": every existence check of another
     * aggregate (tenant of a role assignment or route, provider of a route target or price) refuses
     * the id of an aggregate of another type with 404 naming the field.
     */
    @Test
    void anIdOfAnotherAggregateTypeIsNeverTakenForATenantOrAProvider() throws Exception {
        String tenantId = body(send("POST", "/admin/v1/tenants", "{\"name\":\"Gamma\"}"), 201).get("tenantId").asString();
        String providerId = body(send("POST", "/admin/v1/providers",
                "{\"name\":\"sim\",\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:5100/v1\",\"apiKey\":\"sk-x\"}"), 201)
                .get("providerId").asString();
        String assignmentId = body(send("POST", "/admin/v1/role-assignments", "{\"principal\":\"root\",\"role\":\"PlatformAdmin\"}"), 201)
                .get("assignmentId").asString();
        record Case(String method, String path, String body, String field) {
        }
        for (String notATenant : List.of(providerId, assignmentId)) {
            for (Case c : List.of(
                    new Case("POST", "/admin/v1/role-assignments", "{\"principal\":\"ada\",\"role\":\"Auditor\",\"tenantId\":\"" + notATenant + "\"}", "tenantId"),
                    new Case("POST", "/admin/v1/tenants/" + notATenant + "/suspend", null, "tenantId"),
                    new Case("POST", "/admin/v1/tenants/" + notATenant + "/api-keys", "{\"name\":\"k\"}", "tenantId"),
                    new Case("PUT", "/admin/v1/tenants/" + notATenant + "/routes/m1", "{\"targets\":[{\"providerId\":\"" + providerId + "\",\"model\":\"x\"}]}", "tenantId"))) {
                assertThat(problem(send(c.method(), c.path(), c.body()), 404).get("field").asString()).as(c.path() + " " + c.body())
                        .isEqualTo(c.field());
            }
        }
        for (String notAProvider : List.of(tenantId, assignmentId)) {
            for (Case c : List.of(
                    new Case("PUT", "/admin/v1/routes/m2", "{\"targets\":[{\"providerId\":\"" + notAProvider + "\",\"model\":\"x\"}]}", "targets[0].providerId"),
                    new Case("POST", "/admin/v1/prices", "{\"providerId\":\"" + notAProvider + "\",\"model\":\"m\",\"inputPerMillionUsd\":1,\"outputPerMillionUsd\":1}", "providerId"))) {
                assertThat(problem(send(c.method(), c.path(), c.body()), 404).get("field").asString()).as(c.path() + " " + c.body())
                        .isEqualTo(c.field());
            }
        }
        assertThat(problem(send("DELETE", "/admin/v1/role-assignments/" + tenantId, null), 404).get("field").asString())
                .isEqualTo("assignmentId");
    }

    private List<String> events(String aggregateId) {
        return jdbc.queryForList("SELECT regexp_replace(payloadtype, '^.*\\.', '') FROM domainevententry WHERE aggregateidentifier = ? ORDER BY sequencenumber",
                String.class, aggregateId);
    }
}
