package io.llmproxy.kernel.access;

import static io.llmproxy.kernel.access.Role.Auditor;
import static io.llmproxy.kernel.access.Role.Developer;
import static io.llmproxy.kernel.access.Role.FinanceReader;
import static io.llmproxy.kernel.access.Role.PlatformAdmin;
import static io.llmproxy.kernel.access.Role.TenantAdmin;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * THE permission matrix: every permission and the roles that hold it, written once (ADR 0013,
 * README "Roles and role assignments"). The read API answers "who holds permission X in tenant T
 * at time t" from this table, and the authorisation of the admin, finance and audit APIs checks it.
 *
 * <p>How to read it: a role assigned at a tenant holds its permissions in that tenant only;
 * {@link Role#PlatformAdmin}, assigned at platform scope, holds every permission in every tenant.
 * The {@code -own} permissions act only on the caller's own keys or usage; a role that holds the
 * broad permission ({@code keys:issue}, {@code usage:read}) is listed on the {@code -own} one too,
 * so a check of an {@code -own} permission needs this table only. "Issue" covers rotate and
 * revoke; {@code statements:read} covers reconciliation; {@code audit:read} covers verification,
 * key history and as-of. Which endpoint needs which permission, and where its tenant comes from,
 * is the endpoint table of {@code admin-web}'s {@code EndpointPermissions}.
 *
 * <table>
 *   <caption>permission → roles</caption>
 *   <tr><th>permission</th><th>roles</th></tr>
 *   <tr><td>tenants:manage, providers:manage, routes:global, prices:manage, projections:replay</td><td>PlatformAdmin</td></tr>
 *   <tr><td>prices:read, tenant:read</td><td>every role</td></tr>
 *   <tr><td>users:manage, keys:issue, quotas:manage, routes:tenant, content-capture:manage</td><td>PlatformAdmin, TenantAdmin</td></tr>
 *   <tr><td>keys:issue-own</td><td>PlatformAdmin, TenantAdmin, Developer</td></tr>
 *   <tr><td>usage:read, statements:read</td><td>PlatformAdmin, FinanceReader</td></tr>
 *   <tr><td>usage:read-own</td><td>PlatformAdmin, FinanceReader, Developer</td></tr>
 *   <tr><td>audit:read</td><td>PlatformAdmin, Auditor</td></tr>
 * </table>
 */
public enum Permission {
    /** Create, rename, suspend and reactivate tenants. */
    TENANTS_MANAGE("tenants:manage", PlatformAdmin),
    /** Register provider connections. */
    PROVIDERS_MANAGE("providers:manage", PlatformAdmin),
    /** Define global model routes. */
    ROUTES_GLOBAL("routes:global", PlatformAdmin),
    /** Set model prices. */
    PRICES_MANAGE("prices:manage", PlatformAdmin),
    /** Rebuild a projection by replay (an operations task of the platform). */
    PROJECTIONS_REPLAY("projections:replay", PlatformAdmin),
    /** Read the price list (platform data every role needs to read costs). */
    PRICES_READ("prices:read", PlatformAdmin, TenantAdmin, Developer, FinanceReader, Auditor),
    /** Read the tenant itself (name, status): every role of the tenant. */
    TENANT_READ("tenant:read", PlatformAdmin, TenantAdmin, Developer, FinanceReader, Auditor),
    /** Add, re-role and remove the tenant's users (and assign or remove tenant-scoped roles). */
    USERS_MANAGE("users:manage", PlatformAdmin, TenantAdmin),
    /** Issue, rotate and revoke any API key of the tenant. */
    KEYS_ISSUE("keys:issue", PlatformAdmin, TenantAdmin),
    /** Issue, rotate and revoke API keys the caller owns. */
    KEYS_ISSUE_OWN("keys:issue-own", PlatformAdmin, TenantAdmin, Developer),
    /** Set tenant, user and key quota policies (within what the platform allows). */
    QUOTAS_MANAGE("quotas:manage", PlatformAdmin, TenantAdmin),
    /** Define the tenant's own model routes. */
    ROUTES_TENANT("routes:tenant", PlatformAdmin, TenantAdmin),
    /** Opt the tenant in to (or out of) storing masked prompt/completion text in the audit log. */
    CONTENT_CAPTURE_MANAGE("content-capture:manage", PlatformAdmin, TenantAdmin),
    /** Read the tenant's usage and cost. */
    USAGE_READ("usage:read", PlatformAdmin, FinanceReader),
    /** Read the usage of the caller's own keys. */
    USAGE_READ_OWN("usage:read-own", PlatformAdmin, FinanceReader, Developer),
    /** Read the tenant's monthly statements and reconciliation. */
    STATEMENTS_READ("statements:read", PlatformAdmin, FinanceReader),
    /** Read the tenant's audit log, verify its chains, read key history and as-of. */
    AUDIT_READ("audit:read", PlatformAdmin, Auditor);

    private final String wireName;
    private final Set<Role> roles;

    Permission(String wireName, Role first, Role... rest) {
        this.wireName = wireName;
        this.roles = Collections.unmodifiableSet(EnumSet.of(first, rest));
    }

    /** @return the name the APIs use, e.g. {@code keys:issue} */
    public String wireName() {
        return wireName;
    }

    /** @return the roles that hold this permission (always including {@link Role#PlatformAdmin}) */
    public Set<Role> roles() {
        return roles;
    }

    /** @return true when {@code role} holds this permission */
    public boolean heldBy(Role role) {
        return roles.contains(role);
    }

    /** @return the permissions {@code role} holds, in declaration order */
    public static Set<Permission> of(Role role) {
        EnumSet<Permission> held = EnumSet.noneOf(Permission.class);
        for (Permission p : values()) {
            if (p.heldBy(role)) {
                held.add(p);
            }
        }
        return Collections.unmodifiableSet(held);
    }

    /** @return the permission named {@code wireName} ({@code keys:issue}), empty for an unknown name */
    public static Optional<Permission> fromWireName(String wireName) {
        return Arrays.stream(values()).filter(p -> p.wireName.equals(wireName)).findFirst();
    }
}
