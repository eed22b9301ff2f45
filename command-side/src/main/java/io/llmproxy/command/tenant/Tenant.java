package io.llmproxy.command.tenant;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import io.llmproxy.kernel.apikey.ApiKeyIssued;
import io.llmproxy.kernel.apikey.ApiKeyRevoked;
import io.llmproxy.kernel.apikey.IssueApiKey;
import io.llmproxy.kernel.apikey.RevokeApiKey;
import io.llmproxy.kernel.tenant.CreateTenant;
import io.llmproxy.kernel.tenant.TenantCreated;
import java.util.HashMap;
import java.util.Map;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * Tenant aggregate: owns its API keys (issue, revoke). Thin: the rules live in {@link TenantRules}.
 */
@Aggregate
public class Tenant {

    @AggregateIdentifier
    private String tenantId;
    private final Map<String, TenantRules.KeyStatus> keys = new HashMap<>();

    protected Tenant() {
    }

    @CommandHandler
    public Tenant(CreateTenant command) {
        TenantRules.requireName(command.name());
        apply(new TenantCreated(command.tenantId(), command.name().strip(), GenericEventMessage.clock.instant()));
    }

    @CommandHandler
    public void handle(IssueApiKey command) {
        TenantRules.checkIssue(keys, command);
        apply(new ApiKeyIssued(tenantId, command.apiKeyId(), command.name().strip(), command.keyHash(),
                command.displayPrefix(), GenericEventMessage.clock.instant()));
    }

    /** Revoking a revoked key changes nothing (idempotent DELETE); an unknown key is refused. */
    @CommandHandler
    public void handle(RevokeApiKey command) {
        if (TenantRules.mustRevoke(keys, command.apiKeyId())) {
            apply(new ApiKeyRevoked(tenantId, command.apiKeyId(), GenericEventMessage.clock.instant()));
        }
    }

    @EventSourcingHandler
    void on(TenantCreated event) {
        this.tenantId = event.tenantId();
    }

    @EventSourcingHandler
    void on(ApiKeyIssued event) {
        keys.put(event.apiKeyId(), TenantRules.KeyStatus.ACTIVE);
    }

    @EventSourcingHandler
    void on(ApiKeyRevoked event) {
        keys.put(event.apiKeyId(), TenantRules.KeyStatus.REVOKED);
    }
}
