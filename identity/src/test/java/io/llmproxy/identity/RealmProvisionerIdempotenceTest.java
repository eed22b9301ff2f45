package io.llmproxy.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmproxy.testsupport.KeycloakTestServer;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ClientScopeRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

/**
 * Running the provisioner again changes nothing; a realm that drifted from the spec is put back,
 * field by field, and the report names exactly what differed; a user's password is never reset.
 */
class RealmProvisionerIdempotenceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static KeycloakTestServer server;
    private static String name;
    private static RealmResource realm;
    private static RealmProvisioner provisioner;
    private static JsonNode provisioned;

    @BeforeAll
    static void provisionOnce() {
        server = KeycloakTestServer.get();
        name = TestRealms.freshName();
        provisioner = new RealmProvisioner(server.admin());
        assertThat(provisioner.provision(TestRealms.spec(name)).changed()).isTrue();
        server.ensureTestClient(name);
        realm = server.admin().realm(name);
        provisioned = snapshot();
    }

    @AfterAll
    static void deleteRealm() {
        TestRealms.delete(server, name);
    }

    @Test
    void secondRunChangesNothingAndTheAdminPasswordStillWorks() {
        ProvisioningReport second = provisioner.provision(TestRealms.spec(name));

        assertThat(second.changes()).isEmpty();
        assertThat(differences(provisioned, snapshot())).isEmpty();
        assertThat(server.passwordGrant(name, KeycloakTestServer.TEST_CLIENT, "platform-admin", TestRealms.ADMIN_PASSWORD)
                .status()).isEqualTo(200);
    }

    @Test
    void anExistingAdminsPasswordIsNeverReset() {
        RealmSpec otherPassword = TestRealms.spec(name);
        otherPassword = new RealmSpec(otherPassword.realm(), otherPassword.displayName(), otherPassword.uiOrigins(),
                otherPassword.automationClientSecret(),
                new RealmSpec.AdminUser("platform-admin", "platform-admin@llmproxy.local", "Another-passw0rd"),
                otherPassword.accessTokenLifespan());

        assertThat(provisioner.provision(otherPassword).changes()).isEmpty();
        assertThat(server.passwordGrant(name, KeycloakTestServer.TEST_CLIENT, "platform-admin", TestRealms.ADMIN_PASSWORD)
                .status()).isEqualTo(200);
        assertThat(server.passwordGrant(name, KeycloakTestServer.TEST_CLIENT, "platform-admin", "Another-passw0rd")
                .error()).isEqualTo("invalid_grant");
    }

    static Stream<Arguments> drifts() {
        return Stream.of(
                Arguments.of("realm settings", (Consumer<RealmResource>) r -> {
                    RealmRepresentation rep = new RealmRepresentation();
                    rep.setEditUsernameAllowed(true);
                    rep.setBruteForceProtected(false);
                    rep.setAccessTokenLifespan(3600);
                    r.update(rep);
                }, List.of("realm %s: updated editUsernameAllowed, bruteForceProtected, accessTokenLifespan")),
                Arguments.of("UI client allows the password grant, no PKCE", (Consumer<RealmResource>) r ->
                        updateClient(r, "llmproxy-admin-ui", c -> {
                            c.setDirectAccessGrantsEnabled(true);
                            c.getAttributes().put("pkce.code.challenge.method", "");
                        }),
                        List.of("client llmproxy-admin-ui: updated directAccessGrantsEnabled, attributes.pkce.code.challenge.method")),
                Arguments.of("UI client redirects elsewhere", (Consumer<RealmResource>) r ->
                        updateClient(r, "llmproxy-admin-ui", c -> {
                            c.setRedirectUris(List.of("http://evil.example/*"));
                            c.setWebOrigins(List.of("+"));
                        }),
                        List.of("client llmproxy-admin-ui: updated redirectUris, webOrigins")),
                Arguments.of("automation client secret regenerated", (Consumer<RealmResource>) r ->
                        r.clients().get(client(r, "llmproxy-automation").getId()).generateNewSecret(),
                        List.of("client llmproxy-automation: updated secret")),
                Arguments.of("automation client made public with the code flow", (Consumer<RealmResource>) r ->
                        updateClient(r, "llmproxy-automation", c -> {
                            c.setPublicClient(true);
                            c.setStandardFlowEnabled(true);
                        }),
                        // Keycloak drops a public client's secret: the spec's is set again
                        List.of("client llmproxy-automation: updated publicClient, standardFlowEnabled, secret")),
                Arguments.of("audience scope removed from a client", (Consumer<RealmResource>) r ->
                        r.clients().get(client(r, "llmproxy-automation").getId()).removeDefaultClientScope(audienceScope(r).getId()),
                        List.of("client llmproxy-automation: added default client scope llmproxy-api-audience")),
                Arguments.of("audience mapper names another audience", (Consumer<RealmResource>) r -> {
                    var mappers = r.clientScopes().get(audienceScope(r).getId()).getProtocolMappers();
                    ProtocolMapperRepresentation m = mappers.getMappers().get(0);
                    m.getConfig().put("included.custom.audience", "someone-else");
                    mappers.update(m.getId(), m);
                }, List.of("client scope llmproxy-api-audience: updated mapper llmproxy-api audience config.included.custom.audience")),
                Arguments.of("audience mapper deleted", (Consumer<RealmResource>) r -> {
                    var mappers = r.clientScopes().get(audienceScope(r).getId()).getProtocolMappers();
                    mappers.delete(mappers.getMappers().get(0).getId());
                }, List.of("client scope llmproxy-api-audience: created mapper llmproxy-api audience")),
                Arguments.of("a role deleted, another's description changed", (Consumer<RealmResource>) r -> {
                    r.roles().deleteRole("Auditor");
                    RoleRepresentation dev = r.roles().get("Developer").toRepresentation();
                    dev.setDescription("anything");
                    r.roles().get("Developer").update(dev);
                }, List.of("realm role Developer: updated description", "realm role Auditor: created")),
                Arguments.of("platform admin lost its role and email", (Consumer<RealmResource>) r -> {
                    UserRepresentation admin = r.users().searchByUsername("platform-admin", true).get(0);
                    r.users().get(admin.getId()).roles().realmLevel()
                            .remove(List.of(r.roles().get("PlatformAdmin").toRepresentation()));
                    admin.setEmail("someone@example.com");
                    r.users().get(admin.getId()).update(admin);
                }, List.of("user platform-admin: updated email", "user platform-admin: granted realm role PlatformAdmin")),
                Arguments.of("users may edit their e-mail", (Consumer<RealmResource>) r -> {
                    var config = r.users().userProfile().getConfiguration();
                    config.getAttribute("email").getPermissions().setEdit(java.util.Set.of("admin", "user"));
                    r.users().userProfile().update(config);
                }, List.of("user profile: email edited by admins only")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drifts")
    void aDriftIsPutBackAndNamed(String drift, Consumer<RealmResource> change, List<String> expected) {
        change.accept(realm);

        ProvisioningReport repair = provisioner.provision(TestRealms.spec(name));

        assertThat(repair.changes()).containsExactlyElementsOf(expected.stream().map(e -> e.formatted(name)).toList());
        assertThat(differences(provisioned, snapshot())).isEmpty();
        assertThat(provisioner.provision(TestRealms.spec(name)).changes()).isEmpty();
    }

    /** The JSON paths where {@code after} differs from {@code before}, with both values. */
    static List<String> differences(JsonNode before, JsonNode after) {
        List<String> out = new java.util.ArrayList<>();
        diff("", before, after, out);
        return out;
    }

    private static void diff(String path, JsonNode a, JsonNode b, List<String> out) {
        if (a != null && b != null && a.isObject() && b.isObject()) {
            java.util.Set<String> names = new java.util.TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                diff(path + "." + n, a.get(n), b.get(n), out);
            }
        } else if (a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                diff(path + "[" + i + "]", a.get(i), b.get(i), out);
            }
        } else if (!java.util.Objects.equals(a, b)) {
            out.add(path + ": " + abbreviate(a) + " -> " + abbreviate(b));
        }
    }

    private static String abbreviate(JsonNode n) {
        String s = String.valueOf(n);
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private static void updateClient(RealmResource r, String clientId, Consumer<ClientRepresentation> change) {
        ClientRepresentation c = client(r, clientId);
        change.accept(c);
        r.clients().get(c.getId()).update(c);
    }

    private static ClientRepresentation client(RealmResource r, String clientId) {
        return r.clients().findByClientId(clientId).get(0);
    }

    private static ClientScopeRepresentation audienceScope(RealmResource r) {
        return r.clientScopes().findAll().stream().filter(s -> s.getName().equals("llmproxy-api-audience"))
                .findFirst().orElseThrow();
    }

    /**
     * The realm as Keycloak exports it (realm settings, roles, clients, client scopes; secrets masked
     * by Keycloak), plus the automation secret, the users and their realm roles; ids and timestamps
     * left out (a role deleted and created again is the same role; a secret set again has a new
     * creation time).
     */
    private static JsonNode snapshot() {
        ObjectNode node = JSON.createObjectNode();
        node.set("export", JSON.valueToTree(realm.partialExport(true, true)));
        node.put("automationSecret", realm.clients().get(client(realm, "llmproxy-automation").getId()).getSecret().getValue());
        ArrayNode users = node.putArray("users");
        realm.users().list().stream().sorted(Comparator.comparing(UserRepresentation::getUsername)).forEach(u -> {
            ObjectNode user = users.addObject();
            user.set("user", JSON.valueToTree(u));
            user.set("realmRoles", JSON.valueToTree(realm.users().get(u.getId()).roles().realmLevel().listAll().stream()
                    .map(RoleRepresentation::getName).sorted().toList()));
        });
        return withoutIds(node);
    }

    private static JsonNode withoutIds(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove(List.of("id", "containerId", "createdTimestamp", "client.secret.creation.time"));
            object.forEach(RealmProvisionerIdempotenceTest::withoutIds);
        } else if (node instanceof ArrayNode array) {
            array.forEach(RealmProvisionerIdempotenceTest::withoutIds);
            sortByName(array);
        }
        return node;
    }

    /** Arrays of objects (roles, clients, scopes) in a stable order: Keycloak does not keep one. */
    private static void sortByName(ArrayNode array) {
        List<JsonNode> items = new java.util.ArrayList<>();
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            items.add(it.next());
        }
        items.sort(Comparator.comparing(JsonNode::toString));
        array.removeAll();
        items.forEach(array::add);
    }
}
