package io.llmproxy.kernel.access;

/**
 * Where a role assignment applies: the platform ({@code tenantId == null}) or one tenant.
 *
 * @param tenantId the tenant id, or null for the platform
 */
public record Scope(String tenantId) {

    /** The platform scope. */
    public static final Scope PLATFORM = new Scope(null);

    /** @return the scope of {@code tenantId}, or {@link #PLATFORM} when it is null */
    public static Scope of(String tenantId) {
        return tenantId == null ? PLATFORM : new Scope(tenantId);
    }

    /** @return true for the platform scope */
    public boolean isPlatform() {
        return tenantId == null;
    }

    /** @return {@code "platform"} or {@code "tenant:<tenantId>"}, as the read API shows it */
    public String label() {
        return isPlatform() ? "platform" : "tenant:" + tenantId;
    }
}
