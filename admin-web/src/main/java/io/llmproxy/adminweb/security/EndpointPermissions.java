package io.llmproxy.adminweb.security;

import static io.llmproxy.kernel.access.Permission.AUDIT_READ;
import static io.llmproxy.kernel.access.Permission.CONTENT_CAPTURE_MANAGE;
import static io.llmproxy.kernel.access.Permission.KEYS_ISSUE;
import static io.llmproxy.kernel.access.Permission.KEYS_ISSUE_OWN;
import static io.llmproxy.kernel.access.Permission.PRICES_MANAGE;
import static io.llmproxy.kernel.access.Permission.PRICES_READ;
import static io.llmproxy.kernel.access.Permission.PROJECTIONS_REPLAY;
import static io.llmproxy.kernel.access.Permission.PROVIDERS_MANAGE;
import static io.llmproxy.kernel.access.Permission.QUOTAS_MANAGE;
import static io.llmproxy.kernel.access.Permission.ROUTES_GLOBAL;
import static io.llmproxy.kernel.access.Permission.ROUTES_TENANT;
import static io.llmproxy.kernel.access.Permission.STATEMENTS_READ;
import static io.llmproxy.kernel.access.Permission.TENANTS_MANAGE;
import static io.llmproxy.kernel.access.Permission.TENANT_READ;
import static io.llmproxy.kernel.access.Permission.USAGE_READ;
import static io.llmproxy.kernel.access.Permission.USAGE_READ_OWN;
import static io.llmproxy.kernel.access.Permission.USERS_MANAGE;
import static org.springframework.http.HttpMethod.DELETE;
import static org.springframework.http.HttpMethod.GET;
import static org.springframework.http.HttpMethod.POST;
import static org.springframework.http.HttpMethod.PUT;

import io.llmproxy.kernel.access.Permission;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpMethod;

/**
 * THE endpoint table of the admin, finance and audit APIs (issue #10): for every endpoint of both
 * admin apps, the permission it needs, where its tenant comes from, and how an {@code -own}
 * permission is checked. Enforced in one place ({@link TenantAuthorization}, wired by
 * {@link AdminSecurity}); which role holds which permission is {@link Permission}'s table. An
 * endpoint missing here needs {@code PlatformAdmin} (deny by default), and the table tests of both
 * apps fail when a mapped endpoint is missing here. The README's "Permission matrix" is this
 * table multiplied out by role.
 */
public final class EndpointPermissions {

    /** Where the tenant an endpoint acts on comes from. */
    public enum TenantFrom {
        /** Platform data: only {@code PlatformAdmin} (the permissions are its alone). */
        PLATFORM,
        /** The path variable {@code {tenantId}}. */
        PATH,
        /** The query parameter {@code tenantId}, exactly once; absent → only {@code PlatformAdmin}. */
        QUERY,
        /** No tenant: granted to a holder of the permission at any tenant (e.g. reading prices). */
        ANY_TENANT,
        /** The caller itself ({@code GET /admin/v1/me}): granted to a holder of any role assignment, no permission. */
        ANY_ROLE
    }

    /** How the caller's ownership is checked for an {@code -own} permission. */
    public enum Ownership {
        /** No {@code -own} variant. */
        NONE,
        /** The path variable {@code {userId}} is the caller's user id in the tenant. */
        PATH_USER,
        /** The key in path variable {@code {apiKeyId}} is owned by the caller (read model {@code rm_api_key}). */
        PATH_KEY,
        /** The query parameter {@link Rule#ownParameter()} (once) is the caller's user id in the tenant. */
        QUERY_USER
    }

    /**
     * One endpoint.
     *
     * @param method       the HTTP method
     * @param pattern      the Spring path pattern, as the controller maps it
     * @param tenantFrom   where the tenant comes from
     * @param permissions  any of these, held at the tenant, grants the call
     * @param own          the {@code -own} permission that grants the call when {@code ownership} holds; null if none
     * @param ownership    how ownership is checked
     * @param ownParameter the query parameter naming the owner, for {@link Ownership#QUERY_USER}
     */
    public record Rule(HttpMethod method, String pattern, TenantFrom tenantFrom, Set<Permission> permissions,
                       Permission own, Ownership ownership, String ownParameter) {
    }

    private static Rule platform(HttpMethod method, String pattern, Permission permission) {
        return new Rule(method, pattern, TenantFrom.PLATFORM, Set.of(permission), null, Ownership.NONE, null);
    }

    private static Rule tenant(HttpMethod method, String pattern, Permission... permissions) {
        return new Rule(method, pattern, TenantFrom.PATH, Set.of(permissions), null, Ownership.NONE, null);
    }

    private static Rule byQuery(HttpMethod method, String pattern, Permission... permissions) {
        return new Rule(method, pattern, TenantFrom.QUERY, Set.of(permissions), null, Ownership.NONE, null);
    }

    private static Rule own(Rule rule, Permission own, Ownership ownership, String parameter) {
        return new Rule(rule.method(), rule.pattern(), rule.tenantFrom(), rule.permissions(), own, ownership, parameter);
    }

    private static final String TENANT = "/admin/v1/tenants/{tenantId}";

    /** Every endpoint of command-side and query-side, in the README's order. */
    public static final List<Rule> RULES = List.of(
            // command-side: platform
            platform(POST, "/admin/v1/tenants", TENANTS_MANAGE),
            platform(PUT, TENANT, TENANTS_MANAGE),
            platform(POST, TENANT + "/suspend", TENANTS_MANAGE),
            platform(POST, TENANT + "/reactivate", TENANTS_MANAGE),
            // the tenant's own allowance is the platform's to set; users' and keys' quotas are the tenant's
            platform(PUT, TENANT + "/quota", TENANTS_MANAGE),
            platform(POST, "/admin/v1/providers", PROVIDERS_MANAGE),
            platform(PUT, "/admin/v1/routes/{*model}", ROUTES_GLOBAL),
            platform(POST, "/admin/v1/prices", PRICES_MANAGE),
            platform(POST, "/admin/v1/role-assignments", USERS_MANAGE),
            platform(DELETE, "/admin/v1/role-assignments/{assignmentId}", USERS_MANAGE),
            // command-side: one tenant
            tenant(POST, TENANT + "/users", USERS_MANAGE),
            tenant(PUT, TENANT + "/users/{userId}/role", USERS_MANAGE),
            tenant(DELETE, TENANT + "/users/{userId}", USERS_MANAGE),
            tenant(POST, TENANT + "/users/{userId}/temporary-password", USERS_MANAGE),
            tenant(POST, TENANT + "/role-assignments", USERS_MANAGE),
            tenant(DELETE, TENANT + "/role-assignments/{assignmentId}", USERS_MANAGE),
            tenant(POST, TENANT + "/api-keys", KEYS_ISSUE),
            own(tenant(POST, TENANT + "/users/{userId}/api-keys", KEYS_ISSUE), KEYS_ISSUE_OWN, Ownership.PATH_USER, null),
            own(tenant(POST, TENANT + "/api-keys/{apiKeyId}/rotate", KEYS_ISSUE), KEYS_ISSUE_OWN, Ownership.PATH_KEY, null),
            own(tenant(DELETE, TENANT + "/api-keys/{apiKeyId}", KEYS_ISSUE), KEYS_ISSUE_OWN, Ownership.PATH_KEY, null),
            tenant(PUT, TENANT + "/users/{userId}/quota", QUOTAS_MANAGE),
            tenant(PUT, TENANT + "/api-keys/{apiKeyId}/quota", QUOTAS_MANAGE),
            tenant(PUT, TENANT + "/routes/{*model}", ROUTES_TENANT),
            tenant(PUT, TENANT + "/audit-content", CONTENT_CAPTURE_MANAGE),
            // query-side
            // the admin lists (ADR 0021): the platform's are PlatformAdmin's; a tenant's routes, its TenantAdmin's too
            platform(GET, "/admin/v1/tenants", TENANTS_MANAGE),
            platform(GET, "/admin/v1/providers", PROVIDERS_MANAGE),
            platform(GET, "/admin/v1/routes", ROUTES_GLOBAL),
            tenant(GET, TENANT + "/routes", ROUTES_TENANT),
            new Rule(GET, "/admin/v1/me", TenantFrom.ANY_ROLE, Set.of(), null, Ownership.NONE, null),
            tenant(GET, TENANT, TENANT_READ),
            tenant(GET, TENANT + "/users", USERS_MANAGE, AUDIT_READ),
            tenant(GET, TENANT + "/quota-policies", QUOTAS_MANAGE, USAGE_READ),
            own(tenant(GET, TENANT + "/api-keys", KEYS_ISSUE, AUDIT_READ), KEYS_ISSUE_OWN, Ownership.QUERY_USER, "ownerUserId"),
            tenant(GET, TENANT + "/api-keys/{apiKeyId}/history", AUDIT_READ),
            tenant(GET, TENANT + "/api-keys/{apiKeyId}/as-of", AUDIT_READ),
            tenant(GET, TENANT + "/principals", USERS_MANAGE, AUDIT_READ),
            byQuery(GET, "/admin/v1/role-assignments", USERS_MANAGE, AUDIT_READ),
            new Rule(GET, "/admin/v1/prices", TenantFrom.ANY_TENANT, Set.of(PRICES_READ), null, Ownership.NONE, null),
            platform(POST, "/admin/v1/projections/{name}/replay", PROJECTIONS_REPLAY),
            platform(GET, "/admin/v1/projections/{name}/replays/{replayId}", PROJECTIONS_REPLAY),
            tenant(GET, "/finance/v1/tenants/{tenantId}/statements/{month}", STATEMENTS_READ),
            byQuery(GET, "/finance/v1/reconciliation", STATEMENTS_READ),
            own(byQuery(GET, "/finance/v1/usage", USAGE_READ), USAGE_READ_OWN, Ownership.QUERY_USER, "userId"),
            byQuery(GET, "/audit/v1/events", AUDIT_READ),
            byQuery(GET, "/audit/v1/verify", AUDIT_READ));

    private EndpointPermissions() {
    }
}
