package io.llmproxy.projection.audit;

import io.llmproxy.kernel.access.RoleAssigned;
import io.llmproxy.kernel.access.RoleAssignmentRemoved;
import io.llmproxy.kernel.apikey.ApiKeyIssued;
import io.llmproxy.kernel.apikey.ApiKeyRevoked;
import io.llmproxy.kernel.apikey.ApiKeyRotated;
import io.llmproxy.kernel.audit.AuditContentPolicySet;
import io.llmproxy.kernel.provider.ProviderRegistered;
import io.llmproxy.kernel.quota.QuotaScope;
import io.llmproxy.projection.support.PgText;
import org.axonframework.eventhandling.TrackingToken;
import org.springframework.jdbc.core.JdbcTemplate;
import io.llmproxy.kernel.quota.QuotaPolicySet;
import io.llmproxy.kernel.tenant.TenantReactivated;
import io.llmproxy.kernel.tenant.TenantRenamed;
import io.llmproxy.kernel.tenant.TenantSuspended;
import io.llmproxy.kernel.user.UserAdded;
import io.llmproxy.kernel.user.UserRemoved;
import io.llmproxy.kernel.user.UserRoleChanged;
import io.llmproxy.kernel.route.RouteDefined;
import io.llmproxy.kernel.tenant.TenantCreated;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.stereotype.Component;

/**
 * Writes every admin event from the event store into the audit log ({@code source = 'admin'}),
 * idempotently by the Axon message id, with the actor from the event's meta-data and the API key
 * it is about (issued, rotated, revoked, key-level quota policy). Key material is never copied: {@code keyHash} and
 * {@code apiKeyCiphertext} are left out of the stored payload.
 */
@Component
@ProcessingGroup(AuditAdminProjection.NAME)
public class AuditAdminProjection {

    /** Processing group (event processor) name. */
    public static final String NAME = "audit-admin";

    /** Meta-data key of the actor who issued the command (put there by command-side's {@code ActorMetaData}). */
    public static final String ACTOR = "actor";

    private final AuditLog auditLog;
    private final JdbcTemplate jdbc;

    public AuditAdminProjection(AuditLog auditLog, JdbcTemplate jdbc) {
        this.auditLog = auditLog;
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(TenantCreated e, EventMessage<?> message) {
        write(message, e.tenantId(), e.occurredAt(), Map.of("tenantId", e.tenantId(), "name", e.name()));
    }

    @EventHandler
    void on(ApiKeyIssued e, EventMessage<?> message) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("tenantId", e.tenantId());
        data.put("apiKeyId", e.apiKeyId());
        data.put("name", e.name());
        data.put("displayPrefix", e.displayPrefix());
        data.put("ownerUserId", e.ownerUserId());
        data.put("allowedModels", e.allowedModels());
        data.put("expiresAt", e.expiresAt() == null ? null : e.expiresAt().toString());
        write(message, e.tenantId(), e.apiKeyId(), e.occurredAt(), data);
    }

    @EventHandler
    void on(ApiKeyRevoked e, EventMessage<?> message) {
        write(message, e.tenantId(), e.apiKeyId(), e.occurredAt(), Map.of("tenantId", e.tenantId(), "apiKeyId", e.apiKeyId()));
    }

    @EventHandler
    void on(TenantRenamed e, EventMessage<?> message) {
        write(message, e.tenantId(), e.occurredAt(), Map.of("tenantId", e.tenantId(), "name", e.name()));
    }

    @EventHandler
    void on(TenantSuspended e, EventMessage<?> message) {
        write(message, e.tenantId(), e.occurredAt(), Map.of("tenantId", e.tenantId()));
    }

    @EventHandler
    void on(TenantReactivated e, EventMessage<?> message) {
        write(message, e.tenantId(), e.occurredAt(), Map.of("tenantId", e.tenantId()));
    }

    @EventHandler
    void on(UserAdded e, EventMessage<?> message) {
        write(message, e.tenantId(), e.occurredAt(), Map.of("tenantId", e.tenantId(), "userId", e.userId(),
                "email", e.email(), "role", e.role().name()));
    }

    @EventHandler
    void on(UserRoleChanged e, EventMessage<?> message) {
        write(message, e.tenantId(), e.occurredAt(), Map.of("tenantId", e.tenantId(), "userId", e.userId(),
                "role", e.role().name()));
    }

    @EventHandler
    void on(UserRemoved e, EventMessage<?> message) {
        write(message, e.tenantId(), e.occurredAt(), Map.of("tenantId", e.tenantId(), "userId", e.userId()));
    }

    @EventHandler
    void on(ApiKeyRotated e, EventMessage<?> message) {
        write(message, e.tenantId(), e.apiKeyId(), e.occurredAt(), Map.of("tenantId", e.tenantId(), "apiKeyId", e.apiKeyId(),
                "displayPrefix", e.displayPrefix(), "previousValidUntil", e.previousValidUntil().toString()));
    }

    @EventHandler
    void on(QuotaPolicySet e, EventMessage<?> message) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("tenantId", e.tenantId());
        data.put("scope", e.scope().name());
        data.put("subjectId", e.subjectId());
        data.put("limits", e.limits());
        write(message, e.tenantId(), e.scope() == QuotaScope.API_KEY ? e.subjectId() : null, e.occurredAt(), data);
    }

    @EventHandler
    void on(ProviderRegistered e, EventMessage<?> message) {
        write(message, null, e.occurredAt(), Map.of("providerId", e.providerId(), "name", e.name(),
                "type", e.type(), "baseUrl", e.baseUrl()));
    }

    @EventHandler
    void on(RouteDefined e, EventMessage<?> message) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("model", e.model());
        data.put("tenantId", e.tenantId());
        data.put("targets", e.targets());
        write(message, e.tenantId(), e.occurredAt(), data);
    }

    /** A role assignment: in its tenant's chain, or the no-tenant chain ({@code *}) at platform scope. */
    @EventHandler
    void on(RoleAssigned e, EventMessage<?> message) {
        write(message, e.tenantId(), e.occurredAt(), roleAssignment(e.tenantId(), e.assignmentId(), e.principal(), e.role()));
    }

    @EventHandler
    void on(RoleAssignmentRemoved e, EventMessage<?> message) {
        write(message, e.tenantId(), e.occurredAt(), roleAssignment(e.tenantId(), e.assignmentId(), e.principal(), e.role()));
    }

    private static Map<String, Object> roleAssignment(String tenantId, String assignmentId, String principal,
                                                      io.llmproxy.kernel.access.Role role) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("tenantId", tenantId);
        data.put("assignmentId", assignmentId);
        data.put("principal", principal);
        data.put("role", role == null ? null : role.name());
        return data;
    }

    /** Also kept as a read model ({@code audit_content_policy}) for the writer of usage content. */
    @EventHandler
    void on(AuditContentPolicySet e, EventMessage<?> message, TrackingToken token) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("tenantId", e.tenantId());
        data.put("storePromptContent", e.storePromptContent());
        write(message, e.tenantId(), null, e.occurredAt(), data);
        jdbc.update("""
                INSERT INTO audit_content_policy (tenant_id, store_prompt_content, updated_at, change_index)
                VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET store_prompt_content = excluded.store_prompt_content,
                    updated_at = excluded.updated_at, change_index = excluded.change_index""",
                PgText.clean(e.tenantId()), e.storePromptContent(), PgText.timestamp(e.occurredAt()),
                token == null ? 0L : token.position().orElse(0L));
    }

    @ResetHandler
    void reset() {
        auditLog.deleteSource(AuditLog.SOURCE_ADMIN);
        jdbc.update("DELETE FROM audit_content_policy");
        io.llmproxy.projection.admin.AdminReadModelProjection.markReplaying(jdbc, NAME);
    }

    private void write(EventMessage<?> message, String tenantId, Instant occurredAt, Map<String, ?> data) {
        write(message, tenantId, null, occurredAt, data);
    }

    /** The actor is the meta-data entry {@value #ACTOR} that command-side puts on every command and its events. */
    private void write(EventMessage<?> message, String tenantId, String apiKeyId, Instant occurredAt, Map<String, ?> data) {
        Object actor = message.getMetaData().get(ACTOR);
        auditLog.append(message.getIdentifier(), tenantId, AuditLog.SOURCE_ADMIN, message.getPayloadType().getSimpleName(),
                occurredAt, actor == null ? null : actor.toString(), apiKeyId, data);
    }
}
