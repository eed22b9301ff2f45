package io.llmproxy.command.tenant;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import io.llmproxy.command.tenant.TenantRules.KeyState;
import io.llmproxy.command.tenant.TenantRules.UserState;
import io.llmproxy.kernel.apikey.ApiKeyIssued;
import io.llmproxy.kernel.apikey.ApiKeyRevoked;
import io.llmproxy.kernel.apikey.ApiKeyRotated;
import io.llmproxy.kernel.apikey.IssueApiKey;
import io.llmproxy.kernel.apikey.RevokeApiKey;
import io.llmproxy.kernel.apikey.RotateApiKey;
import io.llmproxy.kernel.audit.AuditContentPolicySet;
import io.llmproxy.kernel.audit.SetAuditContentPolicy;
import io.llmproxy.kernel.quota.QuotaPolicySet;
import io.llmproxy.kernel.quota.SetQuotaPolicy;
import io.llmproxy.kernel.tenant.CreateTenant;
import io.llmproxy.kernel.tenant.ReactivateTenant;
import io.llmproxy.kernel.tenant.RenameTenant;
import io.llmproxy.kernel.tenant.SuspendTenant;
import io.llmproxy.kernel.tenant.TenantCreated;
import io.llmproxy.kernel.tenant.TenantReactivated;
import io.llmproxy.kernel.tenant.TenantRenamed;
import io.llmproxy.kernel.tenant.TenantSuspended;
import io.llmproxy.kernel.user.AddUser;
import io.llmproxy.kernel.user.ChangeUserRole;
import io.llmproxy.kernel.user.RemoveUser;
import io.llmproxy.kernel.user.UserAdded;
import io.llmproxy.kernel.user.UserRemoved;
import io.llmproxy.kernel.user.UserRoleChanged;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * Tenant aggregate: its name and status, its users, its API keys and its quota policies.
 * Thin: every decision is made by {@link TenantRules}.
 */
@Aggregate
public class Tenant {

    @AggregateIdentifier
    private String tenantId;
    private String name;
    private boolean suspended;
    private boolean storePromptContent;
    private final Map<String, UserState> users = new HashMap<>();
    private final Map<String, KeyState> keys = new HashMap<>();

    protected Tenant() {
    }

    @CommandHandler
    public Tenant(CreateTenant command) {
        TenantRules.requireName(command.name());
        apply(new TenantCreated(command.tenantId(), command.name().strip(), now()));
    }

    @CommandHandler
    public void handle(RenameTenant command) {
        TenantRules.requireName(command.name());
        if (!command.name().strip().equals(name)) {
            apply(new TenantRenamed(tenantId, command.name().strip(), now()));
        }
    }

    @CommandHandler
    public void handle(SuspendTenant command) {
        if (!suspended) {
            apply(new TenantSuspended(tenantId, now()));
        }
    }

    @CommandHandler
    public void handle(ReactivateTenant command) {
        if (suspended) {
            apply(new TenantReactivated(tenantId, now()));
        }
    }

    @CommandHandler
    public void handle(AddUser command) {
        TenantRules.checkAddUser(users, command);
        apply(new UserAdded(tenantId, command.userId(), command.email().strip().toLowerCase(java.util.Locale.ROOT),
                command.role(), now()));
    }

    @CommandHandler
    public void handle(ChangeUserRole command) {
        if (TenantRules.mustChangeRole(users, command)) {
            apply(new UserRoleChanged(tenantId, command.userId(), command.role(), now()));
        }
    }

    /** Removing a user revokes the keys they own, in the same unit of work. */
    @CommandHandler
    public void handle(RemoveUser command) {
        TenantRules.requireUser(users, command.userId());
        Instant at = now();
        TenantRules.activeKeysOwnedBy(keys, command.userId())
                .forEach(apiKeyId -> apply(new ApiKeyRevoked(tenantId, apiKeyId, at)));
        apply(new UserRemoved(tenantId, command.userId(), at));
    }

    @CommandHandler
    public void handle(IssueApiKey command) {
        TenantRules.checkIssue(users, keys, command, now());
        apply(new ApiKeyIssued(tenantId, command.apiKeyId(), command.name().strip(), command.keyHash(),
                command.displayPrefix(), now(), command.ownerUserId(),
                command.allowedModels() == null ? null : java.util.List.copyOf(command.allowedModels()),
                command.expiresAt()));
    }

    @CommandHandler
    public void handle(RotateApiKey command) {
        KeyState key = TenantRules.checkRotate(keys, command);
        Instant at = now();
        apply(new ApiKeyRotated(tenantId, command.apiKeyId(), command.newKeyHash(), command.newDisplayPrefix(),
                key.keyHash(), at.plusSeconds(command.graceSeconds()), at));
    }

    /** Revoking a revoked key changes nothing (idempotent DELETE); an unknown key is refused. */
    @CommandHandler
    public void handle(RevokeApiKey command) {
        if (TenantRules.mustRevoke(keys, command.apiKeyId())) {
            apply(new ApiKeyRevoked(tenantId, command.apiKeyId(), now()));
        }
    }

    @CommandHandler
    public void handle(SetQuotaPolicy command) {
        TenantRules.checkQuota(tenantId, users, keys, command);
        apply(new QuotaPolicySet(tenantId, command.scope(), command.subjectId(), command.limits(), now()));
    }

    /** Opting in or out of storing (masked) prompt text in the audit log; a repeat changes nothing. */
    @CommandHandler
    public void handle(SetAuditContentPolicy command) {
        if (command.storePromptContent() != storePromptContent) {
            apply(new AuditContentPolicySet(tenantId, command.storePromptContent(), now()));
        }
    }

    @EventSourcingHandler
    void on(AuditContentPolicySet event) {
        this.storePromptContent = event.storePromptContent();
    }

    @EventSourcingHandler
    void on(TenantCreated event) {
        this.tenantId = event.tenantId();
        this.name = event.name();
    }

    @EventSourcingHandler
    void on(TenantRenamed event) {
        this.name = event.name();
    }

    @EventSourcingHandler
    void on(TenantSuspended event) {
        this.suspended = true;
    }

    @EventSourcingHandler
    void on(TenantReactivated event) {
        this.suspended = false;
    }

    @EventSourcingHandler
    void on(UserAdded event) {
        users.put(event.userId(), new UserState(event.email(), event.role()));
    }

    @EventSourcingHandler
    void on(UserRoleChanged event) {
        users.computeIfPresent(event.userId(), (id, u) -> new UserState(u.email(), event.role()));
    }

    @EventSourcingHandler
    void on(UserRemoved event) {
        users.remove(event.userId());
    }

    @EventSourcingHandler
    void on(ApiKeyIssued event) {
        keys.put(event.apiKeyId(), new KeyState(true, event.ownerUserId(), event.keyHash()));
    }

    @EventSourcingHandler
    void on(ApiKeyRotated event) {
        keys.computeIfPresent(event.apiKeyId(), (id, k) -> new KeyState(k.active(), k.ownerUserId(), event.keyHash()));
    }

    @EventSourcingHandler
    void on(ApiKeyRevoked event) {
        keys.computeIfPresent(event.apiKeyId(), (id, k) -> new KeyState(false, k.ownerUserId(), k.keyHash()));
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }
}
