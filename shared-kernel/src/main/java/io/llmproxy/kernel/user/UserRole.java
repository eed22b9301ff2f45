package io.llmproxy.kernel.user;

/** Roles of a user within a tenant. */
public enum UserRole {
    /** Manages the tenant's users, keys and quotas. */
    TenantAdmin,
    /** Uses the gateway with keys of their own. */
    Developer,
    /** Reads usage and audit of the tenant. */
    Reader
}
