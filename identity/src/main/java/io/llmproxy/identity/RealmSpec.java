package io.llmproxy.identity;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@link RealmProvisioner#provision(RealmSpec)} makes the realm look like.
 *
 * @param realm                   realm name ({@link LlmproxyRealm#REALM} outside tests)
 * @param displayName             shown on the sign-in page
 * @param uiOrigins               origins of the admin console, e.g. {@code http://localhost:3000}
 *                                (no trailing slash): web origins of the UI client, and
 *                                {@code <origin>/*} its redirect and post-logout redirect URIs
 * @param automationClientSecret  secret of the confidential automation client (never logged)
 * @param platformAdmin           the first platform administrator
 * @param accessTokenLifespan     lifespan of access tokens (5 minutes by default), whole seconds
 */
public record RealmSpec(String realm, String displayName, List<String> uiOrigins, String automationClientSecret,
        AdminUser platformAdmin, Duration accessTokenLifespan) {

    /** Default access token lifespan: 5 minutes. */
    public static final Duration DEFAULT_ACCESS_TOKEN_LIFESPAN = Duration.ofMinutes(5);

    public RealmSpec {
        requireText(realm, "realm");
        requireText(displayName, "displayName");
        uiOrigins = List.copyOf(uiOrigins);
        for (String origin : uiOrigins) {
            if (!origin.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException("uiOrigins: not an origin (scheme://host[:port]): " + origin);
            }
        }
        requireText(automationClientSecret, "automationClientSecret");
        Objects.requireNonNull(platformAdmin, "platformAdmin");
        if (accessTokenLifespan.isNegative() || accessTokenLifespan.isZero()
                || accessTokenLifespan.toNanos() % 1_000_000_000L != 0) {
            throw new IllegalArgumentException("accessTokenLifespan: a positive number of whole seconds");
        }
    }

    /**
     * The project's realm {@code llmproxy} for an admin console on {@code uiPort} (both
     * {@code localhost} and {@code 127.0.0.1}), access tokens living 5 minutes.
     */
    public static RealmSpec llmproxy(int uiPort, String automationClientSecret, AdminUser platformAdmin) {
        return new RealmSpec(LlmproxyRealm.REALM, "LLM Proxy",
                List.of("http://localhost:" + uiPort, "http://127.0.0.1:" + uiPort),
                automationClientSecret, platformAdmin, DEFAULT_ACCESS_TOKEN_LIFESPAN);
    }

    /** The same spec for another realm name (tests provision fresh realms side by side). */
    public RealmSpec withRealm(String otherRealm) {
        return new RealmSpec(otherRealm, displayName, uiOrigins, automationClientSecret, platformAdmin,
                accessTokenLifespan);
    }

    /** Secrets masked. */
    @Override
    public String toString() {
        return "RealmSpec[realm=" + realm + ", displayName=" + displayName + ", uiOrigins=" + uiOrigins
                + ", automationClientSecret=***, platformAdmin=" + platformAdmin
                + ", accessTokenLifespan=" + accessTokenLifespan + "]";
    }

    /**
     * A user the realm must hold. Its password is set only when the user is created, never reset.
     *
     * @param username lower case; Keycloak stores user names lower-cased
     * @param email    its email (verified)
     * @param password its first password (never logged)
     */
    public record AdminUser(String username, String email, String password) {

        public AdminUser {
            requireText(username, "username");
            if (!username.equals(username.toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("username: lower case only (Keycloak lower-cases it): " + username);
            }
            requireText(email, "email");
            requireText(password, "password");
        }

        /** Password masked. */
        @Override
        public String toString() {
            return "AdminUser[username=" + username + ", email=" + email + ", password=***]";
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + ": required");
        }
    }
}
