package io.llmproxy.testsupport;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.keycloak.admin.client.resource.ClientResource;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

/**
 * The test Keycloak server, one per test JVM, found through {@link TestServices#keycloak()}: a
 * Keycloak container where Docker answers, else the local test instance of
 * {@code infra/keycloak/start-keycloak.sh --test} (port {@code LLMPROXY_TEST_KEYCLOAK_PORT}, 8180;
 * started here when nothing answers, and left running). {@link #baseUrl()} is where to connect,
 * {@link #issuer(String)} what its tokens carry as {@code iss} (local: {@code http://localhost:<port>},
 * the server's fixed hostname; container: the base URL).
 *
 * <p>Realms: {@link #realm(String, Consumer)} runs the caller's provisioning (the project's
 * {@code RealmProvisioner}; test-support cannot depend on the identity module, whose own tests use
 * this class) and adds the test-only client {@link #TEST_CLIENT}, a public client with the password
 * grant, which nothing outside tests ever provisions. Helpers create and disable users and fetch
 * tokens by password grant or client credentials.
 */
public final class KeycloakTestServer {

    /** Test-only public client with direct access grants (password grant), audience scope included. */
    public static final String TEST_CLIENT = "llmproxy-test-password-grant";

    private static final String AUDIENCE_SCOPE = "llmproxy-api-audience";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KeycloakTestServer instance;

    private final String adminPassword;
    private final String baseUrl;
    private final String issuerBase;
    private final Keycloak admin;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Set<String> provisioned = new HashSet<>();

    private KeycloakTestServer(TestServices.Keycloak server) {
        this.adminPassword = server.adminPassword();
        this.baseUrl = server.baseUrl();
        this.issuerBase = server.issuerBase();
        this.admin = KeycloakBuilder.builder().serverUrl(baseUrl).realm("master").clientId("admin-cli")
                .username(server.adminUser()).password(adminPassword).build();
    }

    /**
     * @return the running test server (the container, or the local instance, started through the
     *         script when nothing answers)
     * @throws IllegalStateException when it cannot be started (with the script's advice on stderr)
     */
    public static synchronized KeycloakTestServer get() {
        if (instance == null) {
            instance = new KeycloakTestServer(TestServices.keycloak());
        }
        return instance;
    }

    /** @return where to connect, e.g. {@code http://127.0.0.1:8180} (no trailing slash) */
    public String baseUrl() {
        return baseUrl;
    }

    /** @return the issuer of the realm's tokens, e.g. {@code http://localhost:8180/realms/<realm>} */
    public String issuer(String realm) {
        return issuerBase + "/realms/" + realm;
    }

    /** @return the master realm administrator's password, for tests that drive a command line with it */
    public String adminPassword() {
        return adminPassword;
    }

    /** @return an admin client of the master realm (shared; do not close) */
    public Keycloak admin() {
        return admin;
    }

    /**
     * Provisions {@code realm} once per test JVM with {@code provisioning} (idempotent anyway), then
     * makes sure it has the test client {@link #TEST_CLIENT}.
     */
    public synchronized RealmResource realm(String realm, Consumer<Keycloak> provisioning) {
        if (provisioned.add(realm)) {
            provisioning.accept(admin);
            ensureTestClient(realm);
        }
        return admin.realm(realm);
    }

    /** Creates, or puts back in shape, the test client {@link #TEST_CLIENT} of {@code realm}. */
    public void ensureTestClient(String realm) {
        RealmResource r = admin.realm(realm);
        ClientRepresentation c = r.clients().findByClientId(TEST_CLIENT).stream().findFirst().orElse(null);
        String id;
        if (c == null) {
            c = new ClientRepresentation();
            c.setClientId(TEST_CLIENT);
            c.setName("tests only: password grant");
            c.setProtocol("openid-connect");
            c.setEnabled(true);
            c.setPublicClient(true);
            c.setStandardFlowEnabled(false);
            c.setDirectAccessGrantsEnabled(true);
            try (Response response = r.clients().create(c)) {
                id = CreatedResponseUtil.getCreatedId(response);
            }
        } else {
            id = c.getId();
        }
        ClientResource client = r.clients().get(id);
        boolean hasAudience = client.getDefaultClientScopes().stream().anyMatch(s -> AUDIENCE_SCOPE.equals(s.getName()));
        if (!hasAudience) {
            r.clientScopes().findAll().stream().filter(s -> AUDIENCE_SCOPE.equals(s.getName())).findFirst()
                    .ifPresent(s -> client.addDefaultClientScope(s.getId()));
        }
    }

    /**
     * Creates an enabled user with a non-temporary password, a verified email ({@code username} when it
     * holds an {@code @}, else {@code <username>@test.llmproxy.local}), first and last name (so no
     * profile action blocks the password grant) and the given realm roles.
     *
     * @return the user's id (the token's {@code sub})
     */
    public String createUser(String realm, String username, String password, String... realmRoles) {
        RealmResource r = admin.realm(realm);
        UserRepresentation user = new UserRepresentation();
        user.setUsername(username);
        user.setEmail(username.contains("@") ? username : username + "@test.llmproxy.local");
        user.setEmailVerified(true);
        user.setFirstName("Test");
        user.setLastName(username);
        user.setEnabled(true);
        CredentialRepresentation credential = new CredentialRepresentation();
        credential.setType(CredentialRepresentation.PASSWORD);
        credential.setValue(password);
        credential.setTemporary(false);
        user.setCredentials(List.of(credential));
        String id;
        try (Response response = r.users().create(user)) {
            id = CreatedResponseUtil.getCreatedId(response);
        }
        if (realmRoles.length > 0) {
            List<RoleRepresentation> roles = new ArrayList<>();
            for (String role : realmRoles) {
                roles.add(r.roles().get(role).toRepresentation());
            }
            r.users().get(id).roles().realmLevel().add(roles);
        }
        return id;
    }

    /** Disables the user named {@code username} (its tokens then fail introspection and new grants). */
    public void disableUser(String realm, String username) {
        RealmResource r = admin.realm(realm);
        UserRepresentation user = r.users().searchByUsername(username, true).stream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no user " + username + " in realm " + realm));
        user.setEnabled(false);
        r.users().get(user.getId()).update(user);
    }

    /** Password grant through {@code clientId} (a public client, e.g. {@link #TEST_CLIENT}). */
    public TokenResponse passwordGrant(String realm, String clientId, String username, String password) {
        return token(realm, Map.of("grant_type", "password", "client_id", clientId, "username", username,
                "password", password, "scope", "openid"));
    }

    /** Client-credentials grant of a confidential client. */
    public TokenResponse clientCredentials(String realm, String clientId, String clientSecret) {
        return token(realm, Map.of("grant_type", "client_credentials", "client_id", clientId,
                "client_secret", clientSecret));
    }

    private TokenResponse token(String realm, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/realms/" + realm + "/protocol/openid-connect/token"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new TokenResponse(response.statusCode(), JSON.readValue(response.body(), new TypeReference<>() {
            }));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A token endpoint's answer.
     *
     * @param status HTTP status (200, or 400/401 with {@code error} and {@code error_description})
     * @param body   the JSON body
     */
    public record TokenResponse(int status, Map<String, Object> body) {

        /** @return the access token; fails when the grant was refused */
        public String accessToken() {
            if (status != 200) {
                throw new IllegalStateException("token request refused: " + status + " " + body.get("error") + " "
                        + body.get("error_description"));
            }
            return (String) body.get("access_token");
        }

        /** @return the claims of the access token */
        public Map<String, Object> claims() {
            return KeycloakTestServer.claims(accessToken());
        }

        /** @return the OAuth error code ({@code invalid_grant}, {@code unauthorized_client}...) or null */
        public String error() {
            return (String) body.get("error");
        }

        /** Tokens masked. */
        @Override
        public String toString() {
            return "TokenResponse[status=" + status + ", error=" + error() + "]";
        }
    }

    /** @return the payload of a JWT (not verified), e.g. {@code aud}, {@code preferred_username} */
    public static Map<String, Object> claims(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            throw new IllegalArgumentException("not a JWT");
        }
        try {
            return JSON.readValue(Base64.getUrlDecoder().decode(parts[1]), new TypeReference<LinkedHashMap<String, Object>>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
