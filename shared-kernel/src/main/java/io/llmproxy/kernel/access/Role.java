package io.llmproxy.kernel.access;

import io.llmproxy.kernel.user.UserRole;
import java.util.List;

/**
 * The roles a principal can be assigned, each at one kind of {@link Scope} (ADR 0013). What each
 * role may do is written once, in {@link Permission}.
 */
public enum Role {
    /** Everything, in every tenant: tenants, providers, global routes, prices. Platform scope only. */
    PlatformAdmin,
    /** Its tenant's users, keys, quotas, tenant routes and content-capture opt-in. Tenant scope only. */
    TenantAdmin,
    /** Issues, rotates and revokes its own keys in its tenant and reads its own usage. Tenant scope only. */
    Developer,
    /** Reads its tenant's usage, statements and reconciliation. Tenant scope only. */
    FinanceReader,
    /** Reads its tenant's audit log, its verification, key history and as-of. Tenant scope only. */
    Auditor;

    /** @return true when this role is assigned at platform scope, false when at one tenant */
    public boolean platformScoped() {
        return this == PlatformAdmin;
    }

    /** @return true when this role may be assigned at {@code scope} */
    public boolean assignableAt(Scope scope) {
        return platformScoped() == scope.isPlatform();
    }

    /**
     * The documented migration of tenant users (ADR 0013): a user's {@link UserRole} in a tenant
     * is read as implicit assignments of these roles at that tenant (source {@code user}).
     *
     * @return {@code TenantAdmin → [TenantAdmin]}, {@code Developer → [Developer]},
     *         {@code Reader → [FinanceReader, Auditor]}; empty for null
     */
    public static List<Role> ofUserRole(UserRole userRole) {
        if (userRole == null) {
            return List.of();
        }
        return switch (userRole) {
            case TenantAdmin -> List.of(TenantAdmin);
            case Developer -> List.of(Developer);
            case Reader -> List.of(FinanceReader, Auditor);
        };
    }
}
