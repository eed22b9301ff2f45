package io.llmproxy.kernel.tenant;

/**
 * An admin event about one tenant, or about the platform when {@link #tenantId()} is null (a
 * global route, a platform-scope role). The projections keep a tenant's events in one event
 * processor segment, in the event store's order, so its audit chain and read-model rows come out
 * the same however the segments are shared among query-side instances (ADR 0022).
 */
public interface TenantScopedEvent {

    /** @return the tenant id (UUID string), or null for a platform-level event */
    String tenantId();
}
