package io.llmproxy.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.testsupport.KeycloakTestServer;
import io.llmproxy.testsupport.KeycloakTestServer.TokenResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ClientScopeRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

/** A fresh realm provisioned once on the real test Keycloak: what it holds, and the tokens it issues. */
class RealmProvisionerTest {

    /** What Keycloak puts into every new realm by itself. */
    private static final Set<String> KEYCLOAK_CLIENTS = Set.of("account", "account-console", "admin-cli", "broker",
            "realm-management", "security-admin-console");

    private static KeycloakTestServer server;
    private static String name;
    private static RealmResource realm;
    private static ProvisioningReport report;

    @BeforeAll
    static void provisionFreshRealm() {
        server = KeycloakTestServer.get();
        name = TestRealms.freshName();
        report = new RealmProvisioner(server.admin()).provision(TestRealms.spec(name));
        server.ensureTestClient(name);
        realm = server.admin().realm(name);
    }

    @AfterAll
    static void deleteRealm() {
        TestRealms.delete(server, name);
    }

    @Test
    void reportsEveryCreatedObjectByNameOnly() {
        assertThat(report.realm()).isEqualTo(name);
        assertThat(report.changes()).containsExactly(
                "realm " + name + ": created",
                "user profile: unmanaged attributes ADMIN_EDIT, firstName optional, lastName optional, email edited by admins only",
                "realm role PlatformAdmin: created",
                "realm role TenantAdmin: created",
                "realm role Developer: created",
                "realm role FinanceReader: created",
                "realm role Auditor: created",
                "client scope llmproxy-api-audience: created (audience llmproxy-api)",
                "client llmproxy-admin-ui: created",
                "client llmproxy-admin-ui: added default client scope llmproxy-api-audience",
                "client llmproxy-automation: created",
                "client llmproxy-automation: added default client scope llmproxy-api-audience",
                "user platform-admin: created (with its password)",
                "user platform-admin: granted realm role PlatformAdmin");
    }

    @Test
    void realmSettings() {
        RealmRepresentation r = realm.toRepresentation();
        assertThat(r.isEnabled()).isTrue();
        assertThat(r.getDisplayName()).isEqualTo("LLM Proxy");
        assertThat(r.isEditUsernameAllowed()).isFalse();
        assertThat(r.isRegistrationAllowed()).isFalse();
        assertThat(r.isBruteForceProtected()).isTrue();
        assertThat(r.getAccessTokenLifespan()).isEqualTo(300);
    }

    @Test
    void exactlyTheFiveRolesOfTheModel() {
        Map<String, String> roles = realm.roles().list(false).stream()
                .filter(r -> !r.getName().equals("offline_access") && !r.getName().equals("uma_authorization")
                        && !r.getName().equals("default-roles-" + name))
                .collect(Collectors.toMap(RoleRepresentation::getName, RoleRepresentation::getDescription));
        assertThat(roles).containsOnlyKeys("PlatformAdmin", "TenantAdmin", "Developer", "FinanceReader", "Auditor");
        assertThat(roles.get("Developer")).isEqualTo("Issues, rotates and revokes its own keys in its tenant; reads its own usage");
    }

    @Test
    void exactlyTheTwoProjectClientsBesidesKeycloaksOwnAndTheTestClient() {
        Set<String> clients = realm.clients().findAll().stream().map(ClientRepresentation::getClientId)
                .filter(id -> !KEYCLOAK_CLIENTS.contains(id)).collect(Collectors.toSet());
        assertThat(clients).containsExactlyInAnyOrder("llmproxy-admin-ui", "llmproxy-automation",
                KeycloakTestServer.TEST_CLIENT);
    }

    @Test
    void adminUiClientIsPublicWithCodeFlowAndPkceS256Only() {
        ClientRepresentation ui = client("llmproxy-admin-ui");
        assertThat(ui.isPublicClient()).isTrue();
        assertThat(ui.isStandardFlowEnabled()).isTrue();
        assertThat(ui.isImplicitFlowEnabled()).isFalse();
        assertThat(ui.isDirectAccessGrantsEnabled()).isFalse();
        assertThat(ui.isServiceAccountsEnabled()).isFalse();
        assertThat(ui.getAttributes()).containsEntry("pkce.code.challenge.method", "S256")
                .containsEntry("post.logout.redirect.uris", "http://localhost:3000/*##http://127.0.0.1:3000/*");
        assertThat(ui.getRedirectUris()).containsExactlyInAnyOrder("http://localhost:3000/*", "http://127.0.0.1:3000/*");
        assertThat(ui.getWebOrigins()).containsExactlyInAnyOrder("http://localhost:3000", "http://127.0.0.1:3000");
        assertThat(defaultScopes(ui)).contains("llmproxy-api-audience");
    }

    @Test
    void automationClientIsConfidentialWithClientCredentialsOnly() {
        ClientRepresentation automation = client("llmproxy-automation");
        assertThat(automation.isPublicClient()).isFalse();
        assertThat(automation.getClientAuthenticatorType()).isEqualTo("client-secret");
        assertThat(automation.isServiceAccountsEnabled()).isTrue();
        assertThat(automation.isStandardFlowEnabled()).isFalse();
        assertThat(automation.isImplicitFlowEnabled()).isFalse();
        assertThat(automation.isDirectAccessGrantsEnabled()).isFalse();
        assertThat(realm.clients().get(automation.getId()).getSecret().getValue()).isEqualTo(TestRealms.AUTOMATION_SECRET);
        assertThat(realm.clients().get(automation.getId()).getServiceAccountUser().getUsername())
                .isEqualTo("service-account-llmproxy-automation");
        assertThat(defaultScopes(automation)).contains("llmproxy-api-audience");
    }

    @Test
    void audienceScopeHasOneAudienceMapperForAccessTokens() {
        ClientScopeRepresentation scope = realm.clientScopes().findAll().stream()
                .filter(s -> s.getName().equals("llmproxy-api-audience")).findFirst().orElseThrow();
        assertThat(scope.getProtocol()).isEqualTo("openid-connect");
        assertThat(scope.getAttributes()).containsEntry("include.in.token.scope", "false");
        List<ProtocolMapperRepresentation> mappers = realm.clientScopes().get(scope.getId()).getProtocolMappers().getMappers();
        assertThat(mappers).hasSize(1);
        assertThat(mappers.get(0).getProtocolMapper()).isEqualTo("oidc-audience-mapper");
        assertThat(mappers.get(0).getConfig()).containsEntry("included.custom.audience", "llmproxy-api")
                .containsEntry("access.token.claim", "true").containsEntry("id.token.claim", "false");
    }

    @Test
    void firstPlatformAdministrator() {
        UserRepresentation admin = realm.users().searchByUsername("platform-admin", true).get(0);
        assertThat(admin.isEnabled()).isTrue();
        assertThat(admin.getEmail()).isEqualTo("platform-admin@llmproxy.local");
        assertThat(admin.isEmailVerified()).isTrue();
        assertThat(realm.users().get(admin.getId()).roles().realmLevel().listAll())
                .extracting(RoleRepresentation::getName).contains("PlatformAdmin");
    }

    @Test
    void automationTokenNamesTheServiceAccountAndTheApiAudience() {
        TokenResponse token = server.clientCredentials(name, "llmproxy-automation", TestRealms.AUTOMATION_SECRET);
        Map<String, Object> claims = token.claims();
        assertThat(audience(claims)).contains("llmproxy-api");
        assertThat(claims.get("preferred_username")).isEqualTo("service-account-llmproxy-automation");
        assertThat(claims.get("azp")).isEqualTo("llmproxy-automation");
        assertThat(claims.get("iss")).isEqualTo(server.issuer(name));
        assertThat(((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue()).isEqualTo(300);
    }

    @Test
    void automationClientWithAWrongSecretIsRefused() {
        TokenResponse token = server.clientCredentials(name, "llmproxy-automation", "wrong-secret");
        assertThat(token.status()).isEqualTo(401);
        assertThat(token.error()).isEqualTo("unauthorized_client");
    }

    @Test
    void platformAdminSignsInThroughTheTestClientWithItsRoleAndTheApiAudience() {
        Map<String, Object> claims = server.passwordGrant(name, KeycloakTestServer.TEST_CLIENT, "platform-admin",
                TestRealms.ADMIN_PASSWORD).claims();
        assertThat(claims.get("preferred_username")).isEqualTo("platform-admin");
        assertThat(claims.get("email")).isEqualTo("platform-admin@llmproxy.local");
        assertThat(audience(claims)).contains("llmproxy-api");
        @SuppressWarnings("unchecked")
        Map<String, List<String>> realmAccess = (Map<String, List<String>>) claims.get("realm_access");
        assertThat(realmAccess.get("roles")).contains("PlatformAdmin");
    }

    @Test
    void testUserGetsATokenByPasswordGrantUntilDisabled() {
        server.createUser(name, "dev@example.com", "Dev-pass-1", "Developer");
        Map<String, Object> claims = server.passwordGrant(name, KeycloakTestServer.TEST_CLIENT, "dev@example.com",
                "Dev-pass-1").claims();
        assertThat(claims.get("preferred_username")).isEqualTo("dev@example.com");
        assertThat(audience(claims)).contains("llmproxy-api");

        server.disableUser(name, "dev@example.com");
        TokenResponse refused = server.passwordGrant(name, KeycloakTestServer.TEST_CLIENT, "dev@example.com", "Dev-pass-1");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.error()).isEqualTo("invalid_grant");
    }

    /**
     * Through Keycloak's account REST API (what the account console calls), a signed-in user may
     * change its name but not its e-mail: that would let it take the address of a person another
     * tenant has yet to add.
     */
    @Test
    void aUserCannotChangeItsOwnEmailButCanChangeItsName() throws Exception {
        String id = server.createUser(name, "eve@example.com", "Eve-pass-1", "Developer");
        String token = server.passwordGrant(name, KeycloakTestServer.TEST_CLIENT, "eve@example.com", "Eve-pass-1")
                .accessToken();

        HttpResponse<String> renamed = updateAccount(token, "{\"username\":\"eve@example.com\",\"email\":\"eve@example.com\","
                + "\"firstName\":\"Evelyn\",\"lastName\":\"Doe\"}");
        assertThat(renamed.statusCode()).as(renamed.body()).isEqualTo(204);
        HttpResponse<String> squat = updateAccount(token, "{\"username\":\"eve@example.com\",\"email\":\"bob@example.com\","
                + "\"firstName\":\"Evelyn\",\"lastName\":\"Doe\"}");
        assertThat(squat.statusCode()).as(squat.body()).isEqualTo(400);
        assertThat(squat.body()).contains("email");

        UserRepresentation eve = realm.users().get(id).toRepresentation();
        assertThat(eve.getFirstName()).isEqualTo("Evelyn");
        assertThat(eve.getEmail()).isEqualTo("eve@example.com");
        assertThat(realm.users().searchByEmail("bob@example.com", true)).isEmpty();
    }

    private static HttpResponse<String> updateAccount(String token, String json) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/realms/" + name + "/account/"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void adminUiClientRefusesThePasswordGrant() {
        TokenResponse refused = server.passwordGrant(name, "llmproxy-admin-ui", "platform-admin", TestRealms.ADMIN_PASSWORD);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.error()).isEqualTo("unauthorized_client");
    }

    private static ClientRepresentation client(String clientId) {
        return realm.clients().findByClientId(clientId).get(0);
    }

    private static List<String> defaultScopes(ClientRepresentation client) {
        return realm.clients().get(client.getId()).getDefaultClientScopes().stream()
                .map(ClientScopeRepresentation::getName).toList();
    }

    @SuppressWarnings("unchecked")
    static List<String> audience(Map<String, Object> claims) {
        Object aud = claims.get("aud");
        return aud instanceof List<?> list ? (List<String>) list : List.of((String) aud);
    }
}
