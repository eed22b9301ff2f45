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
 *
 * <p><b>A Keycloak user belongs to the tenant that provisioned it.</b> A user name is an e-mail, which
 * any tenant admin may type: a tenant user must never reach a Keycloak user that another tenant
 * provisioned, nor one LLM Proxy did not create (an operator's account, say a platform admin's), or its
 * tenant admin could set that account's password and act with its roles. So {@link #ensureUser},
 * {@link #disableUser} and {@link #setTemporaryPassword} act only on a user whose
 * {@value #TENANT_ATTRIBUTE} is exactly the tenant they are called for; {@code ensureUser} throws
 * {@link ClaimedElsewhereException} for any other existing user, and changes nothing of it.
 *
 * <p>Errors: {@link UnreachableException} when Keycloak cannot be reached (from {@link #find} and
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

    /**
     * The user name is taken by a Keycloak user that is not this tenant's: provisioned for another
     * tenant, or not created by LLM Proxy. Nothing was changed; retrying cannot help.
     */
    public static final class ClaimedElsewhereException extends RuntimeException {
        ClaimedElsewhereException(String username) {
            super("the Keycloak user " + username + " belongs to another tenant or was not created by LLM Proxy");
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

    /** @return true when {@code user} was provisioned for {@code tenantId} (its only tenant attribute) */
    public static boolean belongsTo(UserRepresentation user, String tenantId) {
        Map<String, List<String>> attributes = user.getAttributes();
        return tenantId != null && attributes != null && List.of(tenantId).equals(attributes.get(TENANT_ATTRIBUTE));
    }

    /**
     * @return true when LLM Proxy did not create {@code user} (no {@value #TENANT_ATTRIBUTE}: made by an operator,
     *         or federated from a directory); such a user is linked to a tenant user as it is, never changed here
     */
    public static boolean external(UserRepresentation user) {
        Map<String, List<String>> attributes = user.getAttributes();
        return attributes == null || attributes.get(TENANT_ATTRIBUTE) == null || attributes.get(TENANT_ATTRIBUTE).isEmpty();
    }

    /** @return the Keycloak user named {@code username} if it belongs to {@code tenantId} ({@link #belongsTo}) */
    public Optional<UserRepresentation> findInTenant(String username, String tenantId) {
        return find(username).filter(u -> belongsTo(u, tenantId));
    }

    /**
     * Makes the tenant user's Keycloak user exist and be enabled (created with {@code UPDATE_PASSWORD}; a
     * disabled one, removed earlier and added again, is enabled again and must choose a password again).
     *
     * @return the Keycloak user id
     * @throws ClaimedElsewhereException when a Keycloak user of that name exists and is not this tenant's
     */
    public String ensureUser(String email, String tenantId, String userId) {
        String username = email.strip().toLowerCase(java.util.Locale.ROOT);
        Map<String, List<String>> attributes = Map.of(TENANT_ATTRIBUTE, List.of(tenantId), USER_ATTRIBUTE, List.of(userId));
        Optional<UserRepresentation> existing = find(username);
        if (existing.isPresent()) {
            UserRepresentation u = existing.get();
            if (!belongsTo(u, tenantId)) {
                throw new ClaimedElsewhereException(username);
            }
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
                // created meanwhile: by another instance for this tenant (the same user), or by someone else
                return find(username).filter(found -> belongsTo(found, tenantId))
                        .orElseThrow(() -> new ClaimedElsewhereException(username)).getId();
            }
            return CreatedResponseUtil.getCreatedId(response);
        }
    }

    /**
     * Disables the user named {@code email} and ends its sessions (its refresh tokens stop working; an
     * access token already issued lives until it expires), if it is {@code tenantId}'s.
     *
     * @return true when there was a user of that tenant to disable; false when there is none, or the
     *         name is another tenant's or not LLM Proxy's user (left as it is)
     */
    public boolean disableUser(String email, String tenantId) {
        Optional<UserRepresentation> existing = findInTenant(email, tenantId);
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
     * sign-in) on {@code tenantId}'s user named {@code email}.
     *
     * @return the password, 20 random URL-safe characters: give it to the person, never log it
     * @throws IllegalStateException when the user does not exist in Keycloak (yet)
     * @throws ClaimedElsewhereException when the name is another tenant's or not LLM Proxy's user
     */
    public String setTemporaryPassword(String email, String tenantId) {
        return reachable(() -> temporaryPassword(email, tenantId));
    }

    private String temporaryPassword(String email, String tenantId) {
        UserRepresentation u = find(email).orElseThrow(() -> new IllegalStateException("no Keycloak user " + email));
        if (!belongsTo(u, tenantId)) {
            throw new ClaimedElsewhereException(email);
        }
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
