package io.llmproxy.projection.admin;

import io.llmproxy.kernel.apikey.ApiKeyIssued;
import io.llmproxy.kernel.apikey.ApiKeyRevoked;
import io.llmproxy.kernel.apikey.ApiKeyRotated;
import io.llmproxy.kernel.provider.ProviderRegistered;
import io.llmproxy.kernel.quota.QuotaPolicySet;
import io.llmproxy.kernel.route.DefineRoute;
import io.llmproxy.kernel.tenant.TenantReactivated;
import io.llmproxy.kernel.tenant.TenantRenamed;
import io.llmproxy.kernel.tenant.TenantSuspended;
import io.llmproxy.kernel.user.UserAdded;
import io.llmproxy.kernel.user.UserRemoved;
import io.llmproxy.kernel.user.UserRoleChanged;
import io.llmproxy.kernel.route.RouteDefined;
import io.llmproxy.kernel.tenant.TenantCreated;
import io.llmproxy.projection.support.PgText;
import java.sql.Timestamp;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds the admin read models ({@code rm_tenant}, {@code rm_user}, {@code rm_api_key},
 * {@code rm_provider}, {@code rm_route}, {@code rm_quota_policy}) from the event store. Every row carries {@code change_index}, the global
 * index of the last event applied to it, so a replay gives identical rows and the edge can
 * poll for changes (ADR 0002). Runs in one segment, so rows commit in event order.
 */
@Component
@ProcessingGroup(AdminReadModelProjection.NAME)
public class AdminReadModelProjection {

    /** Processing group (event processor) name. */
    public static final String NAME = "admin-read-model";

    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    public AdminReadModelProjection(JdbcTemplate jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    @EventHandler
    void on(TenantCreated e, TrackingToken token) {
        jdbc.update("""
                INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, ?, ?, ?)
                ON CONFLICT (tenant_id) DO UPDATE SET name = excluded.name, change_index = excluded.change_index""",
                e.tenantId(), PgText.clean(e.name()), Timestamp.from(e.occurredAt()), index(token));
    }

    @EventHandler
    void on(TenantRenamed e, TrackingToken token) {
        jdbc.update("UPDATE rm_tenant SET name = ?, change_index = ? WHERE tenant_id = ?", PgText.clean(e.name()), index(token), e.tenantId());
    }

    @EventHandler
    void on(TenantSuspended e, TrackingToken token) {
        jdbc.update("UPDATE rm_tenant SET status = 'SUSPENDED', change_index = ? WHERE tenant_id = ?", index(token), e.tenantId());
    }

    @EventHandler
    void on(TenantReactivated e, TrackingToken token) {
        jdbc.update("UPDATE rm_tenant SET status = 'ACTIVE', change_index = ? WHERE tenant_id = ?", index(token), e.tenantId());
    }

    @EventHandler
    void on(UserAdded e, TrackingToken token) {
        jdbc.update("""
                INSERT INTO rm_user (user_id, tenant_id, email, role, created_at, change_index) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (user_id) DO NOTHING""",
                e.userId(), e.tenantId(), PgText.clean(e.email()), e.role().name(), Timestamp.from(e.occurredAt()), index(token));
    }

    @EventHandler
    void on(UserRoleChanged e, TrackingToken token) {
        jdbc.update("UPDATE rm_user SET role = ?, change_index = ? WHERE user_id = ?", e.role().name(), index(token), e.userId());
    }

    @EventHandler
    void on(UserRemoved e, TrackingToken token) {
        jdbc.update("UPDATE rm_user SET removed_at = ?, change_index = ? WHERE user_id = ?",
                Timestamp.from(e.occurredAt()), index(token), e.userId());
    }

    @EventHandler
    void on(ApiKeyIssued e, TrackingToken token) {
        jdbc.update("""
                INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index,
                    owner_user_id, allowed_models, expires_at)
                VALUES (?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?, ?::jsonb, ?)
                ON CONFLICT (api_key_id) DO NOTHING""",
                e.apiKeyId(), e.tenantId(), PgText.clean(e.name()), e.keyHash(), PgText.clean(e.displayPrefix()), Timestamp.from(e.occurredAt()),
                index(token), e.ownerUserId(), e.allowedModels() == null ? null : PgText.cleanJson(json.writeValueAsString(e.allowedModels())),
                PgText.timestamp(e.expiresAt()));
    }

    @EventHandler
    void on(ApiKeyRotated e, TrackingToken token) {
        jdbc.update("""
                UPDATE rm_api_key SET key_hash = ?, display_prefix = ?, previous_key_hash = ?, previous_valid_until = ?,
                    rotated_at = ?, change_index = ? WHERE api_key_id = ?""",
                e.keyHash(), PgText.clean(e.displayPrefix()), e.previousKeyHash(), Timestamp.from(e.previousValidUntil()),
                Timestamp.from(e.occurredAt()), index(token), e.apiKeyId());
    }

    @EventHandler
    void on(QuotaPolicySet e, TrackingToken token) {
        jdbc.update("""
                INSERT INTO rm_quota_policy (scope, subject_id, tenant_id, limits, updated_at, change_index)
                VALUES (?, ?, ?, ?::jsonb, ?, ?)
                ON CONFLICT (scope, subject_id) DO UPDATE SET limits = excluded.limits, updated_at = excluded.updated_at,
                    change_index = excluded.change_index""",
                e.scope().name(), e.subjectId(), e.tenantId(), PgText.cleanJson(json.writeValueAsString(e.limits())),
                Timestamp.from(e.occurredAt()), index(token));
        jdbc.update("""
                INSERT INTO rm_quota_policy_history (scope, subject_id, tenant_id, limits, effective_at, change_index)
                VALUES (?, ?, ?, ?::jsonb, ?, ?) ON CONFLICT DO NOTHING""",
                e.scope().name(), e.subjectId(), e.tenantId(), PgText.cleanJson(json.writeValueAsString(e.limits())),
                Timestamp.from(e.occurredAt()), index(token));
    }

    @EventHandler
    void on(ApiKeyRevoked e, TrackingToken token) {
        jdbc.update("UPDATE rm_api_key SET status = 'REVOKED', revoked_at = ?, change_index = ? WHERE api_key_id = ?",
                Timestamp.from(e.occurredAt()), index(token), e.apiKeyId());
    }

    @EventHandler
    void on(ProviderRegistered e, TrackingToken token) {
        jdbc.update("""
                INSERT INTO rm_provider (provider_id, name, type, base_url, api_key_ciphertext, created_at, change_index,
                    extra_api_key_ciphertexts)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (provider_id) DO NOTHING""",
                e.providerId(), PgText.clean(e.name()), PgText.clean(e.type()), PgText.clean(e.baseUrl()), e.apiKeyCiphertext(), Timestamp.from(e.occurredAt()),
                index(token), e.additionalApiKeyCiphertexts() == null ? null
                        : json.writeValueAsString(e.additionalApiKeyCiphertexts()));
    }

    @EventHandler
    void on(RouteDefined e, TrackingToken token) {
        jdbc.update("""
                INSERT INTO rm_route (route_id, tenant_id, model, targets, policy, updated_at, change_index)
                VALUES (?, ?, ?, ?::jsonb, ?::jsonb, ?, ?)
                ON CONFLICT (route_id) DO UPDATE SET targets = excluded.targets, policy = excluded.policy,
                    updated_at = excluded.updated_at, change_index = excluded.change_index""",
                PgText.clean(DefineRoute.idOf(e.tenantId(), e.model())), e.tenantId(), PgText.clean(e.model()),
                PgText.cleanJson(json.writeValueAsString(e.targets())),
                e.policy() == null ? null : PgText.cleanJson(json.writeValueAsString(e.policy())),
                Timestamp.from(e.occurredAt()), index(token));
    }

    /** Replay starts from zero: empty the tables this projection owns, and mark its segments replaying. */
    @ResetHandler
    void reset() {
        jdbc.execute("TRUNCATE rm_tenant, rm_user, rm_api_key, rm_provider, rm_route, rm_quota_policy, rm_quota_policy_history");
        markReplaying(jdbc, NAME);
    }

    /**
     * Run by each admin processor's reset handler, in the reset's transaction: every segment of
     * {@code processor} in the token store gets position -1 (the reported positions of ADR 0022 would
     * otherwise claim the emptied read models are still up to date) and {@code replaying = true}
     * ({@link io.llmproxy.kernel.replay.ReplayFence}: nobody takes a decision from the half-rebuilt
     * tables until each segment's owner reports it has passed the reset point); rows of segments no
     * longer in the token store are removed.
     */
    public static void markReplaying(JdbcTemplate jdbc, String processor) {
        jdbc.update("""
                DELETE FROM projection_segment_position p WHERE p.processor = ?
                    AND NOT EXISTS (SELECT 1 FROM tokenentry t WHERE t.processorname = p.processor AND t.segment = p.segment)""",
                processor);
        jdbc.update("""
                INSERT INTO projection_segment_position (processor, segment, position, owner, updated_at, replaying)
                SELECT processorname, segment, -1, 'reset', now(), true FROM tokenentry WHERE processorname = ?
                ON CONFLICT (processor, segment) DO UPDATE SET position = -1, owner = excluded.owner,
                    updated_at = excluded.updated_at, replaying = true""", processor);
    }

    static long index(TrackingToken token) {
        return token == null ? 0L : token.position().orElse(0L);
    }
}
