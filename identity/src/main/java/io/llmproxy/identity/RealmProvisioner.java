package io.llmproxy.identity;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.admin.client.resource.UserResource;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.representations.userprofile.config.UPAttributePermissions;

/**
 * Brings a Keycloak realm into the shape of a {@link RealmSpec}, idempotently: it reads what
 * exists, compares, and creates or updates only what differs, so a second run with the same spec
 * changes nothing (ADR 0012). It owns:
 * <ul>
 *   <li>the realm: enabled, display name, {@code editUsernameAllowed=false}, no self-registration,
 *       brute-force protection on, access token lifespan (5 min by default);</li>
 *   <li>the user profile: the tenant attributes kept, names optional, the e-mail edited by
 *       administrators only;</li>
 *   <li>the realm roles of {@link LlmproxyRealm#ROLES} (and their descriptions);</li>
 *   <li>the audience client scope and the two clients (see {@link ClientProvisioning});</li>
 *   <li>the first platform administrator: created enabled, with its email verified, its password
 *       and the realm role {@code PlatformAdmin}. An existing user keeps its password (never reset)
 *       and its enabled flag; its email, names and the role are put back if they differ.</li>
 * </ul>
 * Anything else in the realm (other users, clients, roles) is left alone. Nothing it reports or
 * throws contains a password or a client secret.
 */
public final class RealmProvisioner {

    /** Keycloak's user-profile permission of administrators (the other is {@code user}). */
    private static final String ADMIN = "admin";

    private final Keycloak keycloak;

    /** @param keycloak an admin client allowed to manage realms (e.g. the master realm's admin) */
    public RealmProvisioner(Keycloak keycloak) {
        this.keycloak = Objects.requireNonNull(keycloak, "keycloak");
    }

    /**
     * Creates or updates the realm of {@code spec}.
     *
     * @return what was created or updated (empty when the realm was already in shape)
     * @throws jakarta.ws.rs.WebApplicationException when Keycloak refuses a call (its status and
     *         Keycloak's error message; no secret)
     * @throws jakarta.ws.rs.ProcessingException when Keycloak cannot be reached
     */
    public ProvisioningReport provision(RealmSpec spec) {
        List<String> changes = new ArrayList<>();
        RealmResource realm = ensureRealm(spec, changes);
        ensureUserAttributes(realm, changes);
        ensureRoles(realm, changes);
        new ClientProvisioning(realm, spec, changes).run();
        ensurePlatformAdmin(realm, spec.platformAdmin(), changes);
        return new ProvisioningReport(spec.realm(), changes);
    }

    private RealmResource ensureRealm(RealmSpec spec, List<String> changes) {
        RealmRepresentation current = keycloak.realms().findAll().stream()
                .filter(r -> spec.realm().equals(r.getRealm()))
                .findFirst()
                .orElse(null);
        RealmRepresentation desired = desiredRealm(spec);
        if (current == null) {
            desired.setRealm(spec.realm());
            keycloak.realms().create(desired);
            changes.add("realm " + spec.realm() + ": created");
            return keycloak.realm(spec.realm());
        }
        List<String> differing = new ArrayList<>();
        RealmRepresentation update = new RealmRepresentation();
        Diff.field("enabled", current.isEnabled(), desired.isEnabled(), update::setEnabled, differing);
        Diff.field("displayName", current.getDisplayName(), desired.getDisplayName(), update::setDisplayName,
                differing);
        Diff.field("editUsernameAllowed", current.isEditUsernameAllowed(), desired.isEditUsernameAllowed(),
                update::setEditUsernameAllowed, differing);
        Diff.field("registrationAllowed", current.isRegistrationAllowed(), desired.isRegistrationAllowed(),
                update::setRegistrationAllowed, differing);
        Diff.field("bruteForceProtected", current.isBruteForceProtected(), desired.isBruteForceProtected(),
                update::setBruteForceProtected, differing);
        Diff.field("accessTokenLifespan", current.getAccessTokenLifespan(), desired.getAccessTokenLifespan(),
                update::setAccessTokenLifespan, differing);
        if (!differing.isEmpty()) {
            // Keycloak applies only the non-null fields of a realm update.
            keycloak.realm(spec.realm()).update(update);
            changes.add("realm " + spec.realm() + ": updated " + String.join(", ", differing));
        }
        return keycloak.realm(spec.realm());
    }

    /**
     * Tenant users carry the attributes {@link UserDirectory#TENANT_ATTRIBUTE} and
     * {@link UserDirectory#USER_ATTRIBUTE}, which Keycloak's declarative user profile drops unless
     * unmanaged attributes are allowed: administrators may edit them, users cannot see them. First and
     * last name are optional: the gateway knows people by e-mail only, and a required name would stop
     * a provisioned person's first sign-in at Keycloak's "update account information" page.
     *
     * <p>A user cannot edit its own e-mail (the account console shows it read-only): with no
     * verification, a user could otherwise take the address of a person another tenant has yet to
     * add, and Keycloak, which keeps e-mails unique, would refuse that person's account (ADR 0016).
     */
    private static void ensureUserAttributes(RealmResource realm, List<String> changes) {
        org.keycloak.representations.userprofile.config.UPConfig config = realm.users().userProfile().getConfiguration();
        var wanted = org.keycloak.representations.userprofile.config.UPConfig.UnmanagedAttributePolicy.ADMIN_EDIT;
        List<String> changed = new ArrayList<>();
        if (config.getUnmanagedAttributePolicy() != wanted) {
            config.setUnmanagedAttributePolicy(wanted);
            changed.add("unmanaged attributes " + wanted);
        }
        for (String name : List.of("firstName", "lastName")) {
            var attribute = config.getAttribute(name);
            if (attribute != null && attribute.getRequired() != null) {
                attribute.setRequired(null);
                changed.add(name + " optional");
            }
        }
        var email = config.getAttribute("email");
        if (email != null) {
            var permissions = email.getPermissions() == null ? new UPAttributePermissions() : email.getPermissions();
            if (!Set.of(ADMIN).equals(permissions.getEdit())) {
                permissions.setEdit(Set.of(ADMIN));
                email.setPermissions(permissions);
                changed.add("email edited by admins only");
            }
        }
        if (!changed.isEmpty()) {
            realm.users().userProfile().update(config);
            changes.add("user profile: " + String.join(", ", changed));
        }
    }

    private static RealmRepresentation desiredRealm(RealmSpec spec) {
        RealmRepresentation r = new RealmRepresentation();
        r.setEnabled(true);
        r.setDisplayName(spec.displayName());
        r.setEditUsernameAllowed(false);
        r.setRegistrationAllowed(false);
        r.setBruteForceProtected(true);
        r.setAccessTokenLifespan(Math.toIntExact(spec.accessTokenLifespan().toSeconds()));
        return r;
    }

    private static void ensureRoles(RealmResource realm, List<String> changes) {
        Map<String, RoleRepresentation> existing = realm.roles().list(false).stream()
                .collect(Collectors.toMap(RoleRepresentation::getName, r -> r));
        LlmproxyRealm.ROLES.forEach((name, description) -> {
            RoleRepresentation role = existing.get(name);
            if (role == null) {
                RoleRepresentation created = new RoleRepresentation(name, description, false);
                realm.roles().create(created);
                changes.add("realm role " + name + ": created");
            } else if (!description.equals(role.getDescription())) {
                role.setDescription(description);
                realm.roles().get(name).update(role);
                changes.add("realm role " + name + ": updated description");
            }
        });
    }

    private static void ensurePlatformAdmin(RealmResource realm, RealmSpec.AdminUser admin, List<String> changes) {
        String who = "user " + admin.username();
        UserRepresentation current = realm.users().searchByUsername(admin.username(), true).stream()
                .findFirst()
                .orElse(null);
        String userId;
        if (current == null) {
            UserRepresentation user = new UserRepresentation();
            user.setUsername(admin.username());
            user.setEmail(admin.email());
            user.setEmailVerified(true);
            user.setFirstName("Platform");
            user.setLastName("Administrator");
            user.setEnabled(true);
            CredentialRepresentation password = new CredentialRepresentation();
            password.setType(CredentialRepresentation.PASSWORD);
            password.setValue(admin.password());
            password.setTemporary(false);
            user.setCredentials(List.of(password));
            try (Response response = realm.users().create(user)) {
                userId = CreatedResponseUtil.getCreatedId(response);
            }
            changes.add(who + ": created (with its password)");
        } else {
            userId = current.getId();
            List<String> differing = new ArrayList<>();
            UserRepresentation update = realm.users().get(userId).toRepresentation();
            Diff.field("email", current.getEmail(), admin.email(), update::setEmail, differing);
            Diff.field("emailVerified", current.isEmailVerified(), true, update::setEmailVerified, differing);
            Diff.field("firstName", current.getFirstName(), "Platform", update::setFirstName, differing);
            Diff.field("lastName", current.getLastName(), "Administrator", update::setLastName, differing);
            if (!differing.isEmpty()) {
                update.setCredentials(null); // never touches the password
                realm.users().get(userId).update(update);
                changes.add(who + ": updated " + String.join(", ", differing));
            }
        }
        ensureRealmRole(realm, realm.users().get(userId), LlmproxyRealm.PLATFORM_ADMIN, who, changes);
    }

    private static void ensureRealmRole(RealmResource realm, UserResource user, String role, String who,
            List<String> changes) {
        boolean held = user.roles().realmLevel().listAll().stream().anyMatch(r -> role.equals(r.getName()));
        if (!held) {
            RoleRepresentation representation;
            try {
                representation = realm.roles().get(role).toRepresentation();
            } catch (NotFoundException e) {
                throw new IllegalStateException("realm role " + role + " is missing", e);
            }
            user.roles().realmLevel().add(List.of(representation));
            changes.add(who + ": granted realm role " + role);
        }
    }
}
