package io.llmproxy.projection.support;

import io.llmproxy.kernel.tenant.TenantScopedEvent;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.async.SequencingPolicy;

/**
 * Axon sequencing policy of the admin projections ({@code admin-read-model}, {@code audit-admin}):
 * every event of one tenant gets the same sequence identifier, the tenant id, so it lands in the
 * same event processor segment and is handled in the event store's order; platform-level events
 * (providers, prices, global routes, platform-scope roles: {@link TenantScopedEvent} with a null
 * tenant, or any other payload) share the identifier {@value #PLATFORM}.
 *
 * <p>Per tenant, not per aggregate (Axon's default), because a tenant's audit chain and its
 * role-assignment rows are built from several aggregates (tenant, user, API key, role assignment)
 * whose relative order must survive any split of the segments (ADR 0022).
 */
public final class TenantSequencingPolicy implements SequencingPolicy<EventMessage<?>> {

    /** Sequence identifier of the events of no tenant; never a tenant id (those are UUIDs). */
    public static final String PLATFORM = "*";

    /** @return the tenant id of a tenant's event, else {@value #PLATFORM}; never null */
    @Override
    public Object getSequenceIdentifierFor(EventMessage<?> event) {
        if (event.getPayload() instanceof TenantScopedEvent scoped && scoped.tenantId() != null) {
            return scoped.tenantId();
        }
        return PLATFORM;
    }
}
