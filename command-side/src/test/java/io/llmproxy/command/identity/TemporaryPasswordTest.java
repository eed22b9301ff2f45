package io.llmproxy.command.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmproxy.identity.RealmProvisioner;
import io.llmproxy.identity.RealmSpec;
import io.llmproxy.identity.UserDirectory;
import io.llmproxy.testsupport.KeycloakTestServer;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
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
 * A temporary password for a provisioned tenant user (issue #10), against the real test Keycloak:
 * the person must choose its own before any token is issued; unknown, removed and unprovisioned
 * users are refused; the password is in the response only. A tenant never reaches a Keycloak user that
 * is another tenant's or that LLM Proxy did not create, whatever e-mail its admin typed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.admin.token=test-admin-token", "llmproxy.identity.provisioning.enabled=true"})
class TemporaryPasswordTest {

    static final String REALM = "llmproxy-tmp-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    static KeycloakTestServer keycloak;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        keycloak = KeycloakTestServer.get();
        keycloak.realm(REALM, admin -> new RealmProvisioner(admin).provision(RealmSpec.llmproxy(3000, "s3cret-" + UUID.randomUUID(),
                new RealmSpec.AdminUser("platform-admin", "platform-admin@llmproxy.local", "Adm1n-" + UUID.randomUUID()))
                .withRealm(REALM)));
        Path password = Files.createTempFile("kc-admin", ".txt");
        Files.writeString(password, keycloak.adminPassword());
        password.toFile().deleteOnExit();
        String url = LocalPostgres.freshDatabase("llmproxy_command_tmp_password_it");
        JdbcTemplate db = new JdbcTemplate(new org.springframework.jdbc.datasource.DriverManagerDataSource(url,
                LocalPostgres.user(), LocalPostgres.password()));
        // the read model's columns this endpoint reads (projections, V2)
        db.execute("CREATE TABLE rm_user (tenant_id text, user_id text, email text, removed_at timestamptz)");
        db.update("INSERT INTO rm_user VALUES ('t1', 'u-ada', 'Ada@Example.org', NULL), ('t1', 'u-gone', 'gone@example.org', now()),"
                + " ('t1', 'u-new', 'new@example.org', NULL), ('t1', 'u-bob', 'Bob@Example.org', NULL),"
                + " ('t1', 'u-ops', 'ops@example.org', NULL)");
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.admin.secret-key", () -> Base64.getEncoder().encodeToString(new byte[32]));
        registry.add("llmproxy.identity.keycloak.server-url", keycloak::baseUrl);
        registry.add("llmproxy.identity.keycloak.realm", () -> REALM);
        registry.add("llmproxy.identity.keycloak.admin-password-file", password::toString);
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;
    @Autowired
    UserDirectory directory;

    HttpResponse<String> reset(String tenant, String user) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/admin/v1/tenants/" + tenant + "/users/" + user + "/temporary-password"))
                .header("Authorization", "Bearer test-admin-token").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aProvisionedUserGetsATemporaryPasswordItMustReplaceBeforeAnyToken() throws Exception {
        directory.ensureUser("ada@example.org", "t1", "u-ada");
        HttpResponse<String> r = reset("t1", "u-ada");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("cache-control")).contains("no-store");
        JsonNode body = json.readTree(r.body());
        assertThat(body.get("username").asString()).isEqualTo("ada@example.org");
        String password = body.get("temporaryPassword").asString();
        assertThat(password).hasSize(20);
        KeycloakTestServer.TokenResponse grant = keycloak.passwordGrant(REALM, KeycloakTestServer.TEST_CLIENT,
                "ada@example.org", password);
        // the password is right, but Keycloak wants the user to set its own first
        assertThat(grant.status()).as(grant.toString()).isEqualTo(400);
        assertThat(grant.error()).isEqualTo("invalid_grant");
        assertThat(grant.body().get("error_description")).isEqualTo("Account is not fully set up");
        KeycloakTestServer.TokenResponse wrong = keycloak.passwordGrant(REALM, KeycloakTestServer.TEST_CLIENT,
                "ada@example.org", password + "x");
        assertThat(wrong.body().get("error_description")).isEqualTo("Invalid user credentials");
    }

    @Test
    void anotherTenantsOrAnOperatorsKeycloakUserIsNeverReachedFromATenant() throws Exception {
        // bob@example.org was provisioned for tenant t2; ops@example.org is an operator's account made in Keycloak
        String bobId = directory.ensureUser("bob@example.org", "t2", "u-bob-t2");
        keycloak.createUser(REALM, "ops@example.org", "Ops-pass-123!");
        for (String user : List.of("u-bob", "u-ops")) {
            HttpResponse<String> r = reset("t1", user);
            assertThat(r.statusCode()).as(user + ": " + r.body()).isEqualTo(409);
            assertThat(json.readTree(r.body()).get("code").asString()).isEqualTo("not_provisioned");
            assertThat(r.body()).doesNotContain("temporaryPassword");
        }
        // neither account changed: bob has no password and is still t2's; ops signs in with its own
        assertThat(keycloak.admin().realm(REALM).users().get(bobId).credentials()).isEmpty();
        assertThat(directory.find("bob@example.org").orElseThrow().getAttributes())
                .containsEntry(UserDirectory.TENANT_ATTRIBUTE, List.of("t2"));
        assertThat(keycloak.passwordGrant(REALM, KeycloakTestServer.TEST_CLIENT, "ops@example.org", "Ops-pass-123!").status())
                .isEqualTo(200);
        // the directory refuses on its own, whoever calls it
        for (String name : List.of("bob@example.org", "ops@example.org")) {
            assertThatThrownBy(() -> directory.setTemporaryPassword(name, "t1")).as(name)
                    .isInstanceOf(UserDirectory.ClaimedElsewhereException.class);
            assertThatThrownBy(() -> directory.ensureUser(name, "t1", "u-x")).as(name)
                    .isInstanceOf(UserDirectory.ClaimedElsewhereException.class);
            assertThat(directory.disableUser(name, "t1")).as(name).isFalse();
            assertThat(directory.find(name).orElseThrow().isEnabled()).as(name).isTrue();
        }
        assertThat(directory.find("ops@example.org").orElseThrow().getAttributes()).isNullOrEmpty();
        assertThat(keycloak.passwordGrant(REALM, KeycloakTestServer.TEST_CLIENT, "ops@example.org", "Ops-pass-123!").status())
                .isEqualTo(200);
    }

    @Test
    void unknownRemovedAndUnprovisionedUsersAreRefused() throws Exception {
        assertThat(reset("t1", "u-nobody").statusCode()).isEqualTo(404);
        assertThat(reset("t2", "u-ada").statusCode()).as("another tenant's user id").isEqualTo(404);
        assertThat(reset("t1", "u-gone").statusCode()).isEqualTo(404);
        HttpResponse<String> r = reset("t1", "u-new");
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(json.readTree(r.body()).get("code").asString()).isEqualTo("not_provisioned");
    }
}
