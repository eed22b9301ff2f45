package io.llmproxy.command.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every stored event carries the actor of the admin request that caused it, in its Axon meta-data:
 * {@code bootstrap-token} under the static token, whatever {@code X-Actor} says (kept apart as
 * {@code actorDeclared}, not an identity).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.admin.token=test-admin-token"})
class ActorMetaDataTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_command_actor_it", registry::add);
        registry.add("llmproxy.admin.secret-key", () -> Base64.getEncoder().encodeToString(new byte[32]));
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;
    @Autowired
    JdbcTemplate jdbc;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> send(String method, String path, String body, String actor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer test-admin-token")
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (actor != null) {
            b.header("X-Actor", actor);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void eventsCarryTheActorAndTheAuditContentOptInIsACommand() throws Exception {
        String tenantId = json.readTree(send("POST", "/admin/v1/tenants", "{\"name\":\"Acme\"}", null).body())
                .get("tenantId").asString();
        String userId = json.readTree(send("POST", "/admin/v1/tenants/" + tenantId + "/users",
                "{\"email\":\"ada@example.org\",\"role\":\"Developer\"}", "alice@example.org").body()).get("userId").asString();
        String apiKeyId = json.readTree(send("POST", "/admin/v1/tenants/" + tenantId + "/api-keys",
                "{\"name\":\"ci\",\"ownerUserId\":\"" + userId + "\"}", "alice@example.org").body()).get("apiKeyId").asString();
        assertThat(send("DELETE", "/admin/v1/tenants/" + tenantId + "/users/" + userId, null, "bob\tsmith").statusCode())
                .isEqualTo(204);
        assertThat(send("PUT", "/admin/v1/tenants/" + tenantId + "/audit-content", "{\"storePromptContent\":true}", null)
                .statusCode()).isEqualTo(204);
        assertThat(send("PUT", "/admin/v1/tenants/" + tenantId + "/audit-content", "{\"storePromptContent\":\"yes\"}", null)
                .statusCode()).isEqualTo(400);
        assertThat(send("PUT", "/admin/v1/tenants/" + tenantId + "/audit-content", "{}", null).statusCode()).isEqualTo(400);
        assertThat(send("PUT", "/admin/v1/tenants/unknown/audit-content", "{\"storePromptContent\":true}", null)
                .statusCode()).isEqualTo(404);

        List<String> actors = jdbc.query("""
                        SELECT payloadtype, metadata FROM domainevententry WHERE aggregateidentifier = ? ORDER BY sequencenumber""",
                (rs, i) -> rs.getString(1).substring(rs.getString(1).lastIndexOf('.') + 1) + " "
                        + json.readTree(new String(rs.getBytes(2), StandardCharsets.UTF_8)).get("actor").asString()
                        + json.readTree(new String(rs.getBytes(2), StandardCharsets.UTF_8)).path("actorDeclared")
                                .asString("").replaceAll("^(.)", " declared $1"),
                tenantId);
        assertThat(actors).containsExactly(
                "TenantCreated bootstrap-token",
                "UserAdded bootstrap-token declared alice@example.org",
                "ApiKeyIssued bootstrap-token declared alice@example.org",
                "ApiKeyRevoked bootstrap-token declared bob?smith",
                "UserRemoved bootstrap-token declared bob?smith",
                "AuditContentPolicySet bootstrap-token");
        JsonNode stored = json.readTree(new String(jdbc.queryForObject(
                "SELECT payload FROM domainevententry WHERE aggregateidentifier = ? AND payloadtype LIKE '%AuditContentPolicySet'",
                byte[].class, tenantId), StandardCharsets.UTF_8));
        assertThat(stored.get("storePromptContent").asBoolean()).isTrue();
        assertThat(apiKeyId).isNotBlank();
    }
}
