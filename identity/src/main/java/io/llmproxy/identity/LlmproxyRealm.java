package io.llmproxy.identity;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The names of the project's Keycloak realm (ADR 0012), fixed here once: the realm, its clients,
 * the audience the APIs check, and the realm roles of the role model.
 *
 * <p>Principals are identified by Keycloak's {@code preferred_username}: a tenant user's is its
 * lower-cased email, a client's service account's is {@code service-account-<clientId>} (e.g.
 * {@link #AUTOMATION_SERVICE_ACCOUNT}).
 */
public final class LlmproxyRealm {

    /** The realm's name. */
    public static final String REALM = "llmproxy";

    /** Public client of the admin console: authorization code with PKCE S256, no password grant. */
    public static final String ADMIN_UI_CLIENT = "llmproxy-admin-ui";

    /** Confidential client for automation: client-credentials grant (a service account). */
    public static final String AUTOMATION_CLIENT = "llmproxy-automation";

    /** {@code preferred_username} of the automation client's service account. */
    public static final String AUTOMATION_SERVICE_ACCOUNT = "service-account-" + AUTOMATION_CLIENT;

    /** The audience command-side and query-side check: present in {@code aud} of access tokens. */
    public static final String API_AUDIENCE = "llmproxy-api";

    /** Client scope carrying the audience mapper; a default scope of both clients. */
    public static final String API_AUDIENCE_SCOPE = "llmproxy-api-audience";

    /** Realm role of platform administrators (the first administrator holds it). */
    public static final String PLATFORM_ADMIN = "PlatformAdmin";
    public static final String TENANT_ADMIN = "TenantAdmin";
    public static final String DEVELOPER = "Developer";
    public static final String FINANCE_READER = "FinanceReader";
    public static final String AUDITOR = "Auditor";

    /**
     * The realm roles, name → description, in the role model's order. They document the model;
     * what a principal may do at a scope (the platform or one tenant) is decided by the project's
     * own role assignments.
     */
    public static final Map<String, String> ROLES;

    static {
        Map<String, String> roles = new LinkedHashMap<>();
        roles.put(PLATFORM_ADMIN, "Tenants, providers, global routes, prices, any tenant");
        roles.put(TENANT_ADMIN, "Its tenant's users, keys, quotas, tenant routes, content-capture opt-in");
        roles.put(DEVELOPER, "Issues, rotates and revokes its own keys in its tenant; reads its own usage");
        roles.put(FINANCE_READER, "Usage, statements and reconciliation of its tenant");
        roles.put(AUDITOR, "Audit log, verification, key history and as-of of its tenant");
        ROLES = Collections.unmodifiableMap(roles);
    }

    private LlmproxyRealm() {
    }
}
