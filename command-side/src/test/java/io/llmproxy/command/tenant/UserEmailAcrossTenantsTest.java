package io.llmproxy.command.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * A tenant cannot add, as its own user, a person who is a current user of another tenant (ADR 0016): the
 * e-mail is that person's Keycloak user name, and the tenant adding it could otherwise reach that account.
 * Every spelling of the e-mail is refused with 409 naming {@code email}; a removed user's e-mail and a
 * new one are accepted. The other tenants' users come from the read model ({@code rm_user}, projections V2).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.admin.token=test-admin-token"})
class UserEmailAcrossTenantsTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        String url = LocalPostgres.freshDatabase("llmproxy_command_user_email_it");
        JdbcTemplate db = new JdbcTemplate(new org.springframework.jdbc.datasource.DriverManagerDataSource(url,
                LocalPostgres.user(), LocalPostgres.password()));
        db.execute("CREATE TABLE rm_user (tenant_id text, user_id text, email text, removed_at timestamptz)");
        db.update("INSERT INTO rm_user VALUES ('t-b', 'u-bob', 'bob@b.example', NULL), ('t-b', 'u-gone', 'gone@b.example', now()),"
                + " ('t-b', 'u-kelvin', 'kelvin@b.example', NULL)");
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.admin.secret-key", () -> Base64.getEncoder().encodeToString(new byte[32]));
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;

    HttpResponse<String> post(String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer test-admin-token").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> addUser(String tenantId, String email) throws Exception {
        return post("/admin/v1/tenants/" + tenantId + "/users", "{\"email\":" + json.writeValueAsString(email) + ",\"role\":\"Developer\"}");
    }

    @Test
    void anotherTenantsCurrentUserIsRefusedInEverySpellingAndOthersAreAdded() throws Exception {
        String tenantA = json.readTree(post("/admin/v1/tenants", "{\"name\":\"A\"}").body()).get("tenantId").asString();
        // the last: KELVIN SIGN (U+212A), which Java lower-cases to 'k', as the tenant aggregate stores e-mails
        for (String email : List.of("bob@b.example", "BOB@B.example", " bob@b.example ", "Bob@B.Example", "\u212AELVIN@b.example")) {
            HttpResponse<String> r = addUser(tenantA, email);
            assertThat(r.statusCode()).as("'" + email + "': " + r.body()).isEqualTo(409);
            JsonNode problem = json.readTree(r.body());
            assertThat(problem.get("field").asString()).isEqualTo("email");
            assertThat(problem.get("detail").asString()).isEqualTo("the e-mail " + email.strip() + " is already a user of another tenant");
        }
        // SMTP's limits, which Keycloak's user profile enforces: refused at once, not left to fail provisioning
        for (String email : List.of("w".repeat(65) + "@a.example", "w@" + "a".repeat(250) + ".example")) {
            HttpResponse<String> r = addUser(tenantA, email);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(json.readTree(r.body()).get("field").asString()).isEqualTo("email");
        }
        assertThat(addUser(tenantA, "w".repeat(64) + "@a.example").statusCode()).as("64 before the @").isEqualTo(201);
        assertThat(addUser(tenantA, "gone@b.example").statusCode()).as("a removed user's e-mail").isEqualTo(201);
        assertThat(addUser(tenantA, "carol@a.example").statusCode()).isEqualTo(201);
    }
}
