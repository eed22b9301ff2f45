package io.llmproxy.identity;

import jakarta.ws.rs.core.Response;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

/**
 * The tenant users' side of the realm (issue #10): creates, re-enables and disables the Keycloak
 * user of a tenant user, and sets a temporary password. Every operation is idempotent, so a
 * provisioning retried after a failure, or replayed, changes nothing more.
 *
 * <p>A tenant user's Keycloak user: user name = its e-mail lower-cased (its principal, the token's
 * {@code preferred_username}), e-mail verified (the tenant admin vouched for it; Keycloak sends no
 * mail here), required action {@code UPDATE_PASSWORD} while it has not chosen a password,
 * attributes {@value #TENANT_ATTRIBUTE} and {@value #USER_ATTRIBUTE}. Passwords are never logged.
 * Errors: {@link UnreachableException} when Keycloak cannot be reached (from {@link #find} and
 * {@link #setTemporaryPassword}; the others throw keycloak-admin-client's {@code ProcessingException}),
 * keycloak-admin-client's {@code WebApplicationException} for a refusal.
 */
public final class UserDirectory implements AutoCloseable {

    /** Keycloak could not be reached (connection refused, timeout); the operation did not happen. */
    public static final class UnreachableException extends RuntimeException {
        UnreachableException(RuntimeException cause) {
            super("Keycloak cannot be reached: " + cause.getMessage(), cause);
        }
    }

    private static <T> T reachable(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (jakarta.ws.rs.ProcessingException e) {
            throw new UnreachableException(e);
        }
    }

    /** Attribute naming the tenant of a tenant user's Keycloak user. */
    public static final String TENANT_ATTRIBUTE = "llmproxy_tenant_id";
    /** Attribute naming the tenant user id. */
    public static final String USER_ATTRIBUTE = "llmproxy_user_id";
    /** The required action of a user that has not chosen a password. */
    public static final String UPDATE_PASSWORD = "UPDATE_PASSWORD";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Keycloak admin;
    private final String realm;

    /**
     * @param admin an admin client allowed to manage the realm's users
     * @param realm the realm ({@link LlmproxyRealm#REALM} outside tests)
     */
    public UserDirectory(Keycloak admin, String realm) {
        this.admin = admin;
        this.realm = realm;
    }

    /**
     * Connects with an admin account allowed to manage the realm's users (password grant on
     * {@code adminRealm}'s {@code clientId}, default {@code master}/{@code admin-cli}/{@code admin}).
     *
     * @param passwordFile a file holding the password (read here, never logged)
     * @throws java.io.UncheckedIOException when the file cannot be read
     */
    public static UserDirectory open(String serverUrl, String realm, String adminRealm, String clientId, String username,
                                     String passwordFile) {
        String password;
        try {
            password = java.nio.file.Files.readString(java.nio.file.Path.of(passwordFile)).strip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the Keycloak admin password file " + passwordFile, e);
        }
        Keycloak admin = org.keycloak.admin.client.KeycloakBuilder.builder().serverUrl(serverUrl)
                .realm(adminRealm == null ? "master" : adminRealm).clientId(clientId == null ? "admin-cli" : clientId)
                .username(username == null ? "admin" : username).password(password).build();
        return new UserDirectory(admin, realm == null ? LlmproxyRealm.REALM : realm);
    }

    @Override
    public void close() {
        admin.close();
    }

    private RealmResource realm() {
        return admin.realm(realm);
    }

    /** @return the Keycloak user named {@code username} (exact, lower-cased), if any */
    public Optional<UserRepresentation> find(String username) {
        return reachable(() -> realm().users().searchByUsername(username.toLowerCase(java.util.Locale.ROOT), true)
                .stream().findFirst());
    }

    /**
     * Makes the tenant user's Keycloak user exist and be enabled (created with {@code UPDATE_PASSWORD}; a
     * disabled one, removed earlier and added again, is enabled again and must choose a password again).
     *
     * @return the Keycloak user id
     */
    public String ensureUser(String email, String tenantId, String userId) {
        String username = email.strip().toLowerCase(java.util.Locale.ROOT);
        Map<String, List<String>> attributes = Map.of(TENANT_ATTRIBUTE, List.of(tenantId), USER_ATTRIBUTE, List.of(userId));
        Optional<UserRepresentation> existing = find(username);
        if (existing.isPresent()) {
            UserRepresentation u = existing.get();
            boolean wasDisabled = !Boolean.TRUE.equals(u.isEnabled());
            if (wasDisabled || !attributes.equals(u.getAttributes())) {
                u.setEnabled(true);
                u.setAttributes(attributes);
                if (wasDisabled) {
                    List<String> actions = new ArrayList<>(u.getRequiredActions() == null ? List.of() : u.getRequiredActions());
                    if (!actions.contains(UPDATE_PASSWORD)) {
                        actions.add(UPDATE_PASSWORD);
                    }
                    u.setRequiredActions(actions);
                }
                realm().users().get(u.getId()).update(u);
            }
            return u.getId();
        }
        UserRepresentation u = new UserRepresentation();
        u.setUsername(username);
        u.setEmail(username);
        u.setEmailVerified(true);
        u.setEnabled(true);
        u.setRequiredActions(List.of(UPDATE_PASSWORD));
        u.setAttributes(attributes);
        try (Response response = realm().users().create(u)) {
            if (response.getStatus() == 409) {
                // created meanwhile by another instance: the same user
                return find(username).orElseThrow().getId();
            }
            return CreatedResponseUtil.getCreatedId(response);
        }
    }

    /**
     * Disables the user named {@code email} and ends its sessions (its refresh tokens stop working; an
     * access token already issued lives until it expires).
     *
     * @return true when there was a user to disable
     */
    public boolean disableUser(String email) {
        Optional<UserRepresentation> existing = find(email);
        if (existing.isEmpty()) {
            return false;
        }
        UserRepresentation u = existing.get();
        if (Boolean.TRUE.equals(u.isEnabled())) {
            u.setEnabled(false);
            realm().users().get(u.getId()).update(u);
        }
        realm().users().get(u.getId()).logout();
        return true;
    }

    /**
     * Sets a new temporary password (Keycloak then requires the user to choose its own at the next
     * sign-in).
     *
     * @return the password, 20 random URL-safe characters: give it to the person, never log it
     * @throws IllegalStateException when the user does not exist in Keycloak (yet)
     */
    public String setTemporaryPassword(String email) {
        return reachable(() -> temporaryPassword(email));
    }

    private String temporaryPassword(String email) {
        UserRepresentation u = find(email).orElseThrow(() -> new IllegalStateException("no Keycloak user " + email));
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        CredentialRepresentation credential = new CredentialRepresentation();
        credential.setType(CredentialRepresentation.PASSWORD);
        credential.setValue(password);
        credential.setTemporary(true);
        realm().users().get(u.getId()).resetPassword(credential);
        return password;
    }
}
