package io.llmproxy.command.tenant;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.apikey.IssueApiKey;
import io.llmproxy.kernel.apikey.RevokeApiKey;
import io.llmproxy.kernel.apikey.RotateApiKey;
import io.llmproxy.kernel.audit.SetAuditContentPolicy;
import io.llmproxy.kernel.quota.QuotaLimits;
import io.llmproxy.kernel.quota.QuotaScope;
import io.llmproxy.kernel.quota.SetQuotaPolicy;
import io.llmproxy.kernel.tenant.CreateTenant;
import io.llmproxy.kernel.tenant.ReactivateTenant;
import io.llmproxy.kernel.tenant.RenameTenant;
import io.llmproxy.kernel.tenant.SuspendTenant;
import io.llmproxy.kernel.user.AddUser;
import io.llmproxy.kernel.user.ChangeUserRole;
import io.llmproxy.kernel.user.RemoveUser;
import io.llmproxy.kernel.user.UserRole;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Admin commands on tenants, their users, API keys and quota policies ({@code /admin/v1/tenants}). */
@RestController
@RequestMapping("/admin/v1/tenants")
class TenantController {

    /** Grace period of a rotated key when the request names none: 1 hour. */
    static final long DEFAULT_GRACE_SECONDS = 3600;

    private final CommandGateway commands;
    private final org.springframework.jdbc.core.JdbcTemplate jdbc;

    TenantController(CommandGateway commands, org.springframework.jdbc.core.JdbcTemplate jdbc) {
        this.commands = commands;
        this.jdbc = jdbc;
    }

    record NameRequest(@NotBlank @Size(max = 200) String name) {
    }

    record IssueApiKeyRequest(@NotBlank @Size(max = 200) String name, String ownerUserId, List<String> allowedModels,
                              Instant expiresAt) {
    }

    record UserKeyRequest(@NotBlank @Size(max = 200) String name, List<String> allowedModels, Instant expiresAt) {
    }

    record RotateRequest(Long graceSeconds) {
    }

    record AddUserRequest(@NotBlank @Size(max = 320) String email, @NotNull UserRole role) {
    }

    record RoleRequest(@NotNull UserRole role) {
    }

    record AuditContentRequest(@NotNull Boolean storePromptContent) {
    }

    /** Quota policy body; every field optional (absent or null = no limit at this level). */
    record QuotaRequest(Long requestsPerMinute, Long requestsPerDay, Long tokensPerMinute, Long tokensPerDay,
                        Long tokensPerMonth, Long maxConcurrentRequests, BigDecimal monthlySpendLimitUsd,
                        String whenQuotaStoreDown) {
        QuotaLimits limits() {
            BigDecimal spend = monthlySpendLimitUsd;
            // refuse absurd magnitudes before toPlainString() writes out their digits
            if (spend != null && (spend.precision() - spend.scale() > 12 || spend.scale() > 6)) {
                throw CommandRejected.invalid("monthlySpendLimitUsd",
                        "monthlySpendLimitUsd must be 0..1000000000 USD with at most 6 decimals");
            }
            return new QuotaLimits(requestsPerMinute, requestsPerDay, tokensPerMinute, tokensPerDay, tokensPerMonth,
                    maxConcurrentRequests, spend == null ? null : spend.toPlainString(), whenQuotaStoreDown);
        }
    }

    /** {@code POST /admin/v1/tenants {"name"}} → 201 {@code {"tenantId"}}. */
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, String> create(@Valid @RequestBody NameRequest request) {
        String tenantId = UUID.randomUUID().toString();
        commands.sendAndWait(new CreateTenant(tenantId, request.name()));
        return Map.of("tenantId", tenantId);
    }

    /** {@code PUT /admin/v1/tenants/{tenantId} {"name"}} → 204 (rename). */
    @PutMapping("/{tenantId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void rename(@PathVariable String tenantId, @Valid @RequestBody NameRequest request) {
        onTenant(tenantId, new RenameTenant(tenantId, request.name()));
    }

    /** {@code POST /admin/v1/tenants/{tenantId}/suspend} → 204; its keys get 403 within seconds. */
    @PostMapping("/{tenantId}/suspend")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void suspend(@PathVariable String tenantId) {
        onTenant(tenantId, new SuspendTenant(tenantId));
    }

    /** {@code POST /admin/v1/tenants/{tenantId}/reactivate} → 204. */
    @PostMapping("/{tenantId}/reactivate")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void reactivate(@PathVariable String tenantId) {
        onTenant(tenantId, new ReactivateTenant(tenantId));
    }

    /**
     * {@code POST /admin/v1/tenants/{tenantId}/users {"email","role"}} → 201 {@code {"userId"}}; 409
     * {@code email} when a current user of this tenant or of another one has that e-mail (case and
     * surrounding spaces aside). A person's e-mail is its Keycloak user name, which belongs to one tenant
     * (ADR 0016): another tenant's admin must not be able to claim it. The other tenants' users are read
     * from the read model, so two tenants adding one e-mail within its lag (~0.1 s) can both pass here;
     * provisioning then gives the Keycloak user to the first and marks the second {@code conflict}.
     */
    @PostMapping("/{tenantId}/users")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, String> addUser(@PathVariable String tenantId, @Valid @RequestBody AddUserRequest request) {
        if (userOfAnotherTenant(tenantId, request.email())) {
            throw CommandRejected.conflict("email", "the e-mail " + request.email().strip() + " is already a user of another tenant");
        }
        String userId = UUID.randomUUID().toString();
        onTenant(tenantId, new AddUser(tenantId, userId, request.email(), request.role()));
        return Map.of("userId", userId);
    }

    /**
     * @return true when a current user of a tenant other than {@code tenantId} has {@code email} in the
     *         read model (as the tenant aggregate stores it: stripped and lower-cased in Java's root locale,
     *         or equal by PostgreSQL's {@code lower}); false too when the read model has no {@code rm_user} yet (nothing projected: the
     *         provisioning's own check, {@code UserDirectory}, still keeps the Keycloak user to one tenant)
     */
    private boolean userOfAnotherTenant(String tenantId, String email) {
        try {
            Long count = jdbc.queryForObject("""
                    SELECT count(*) FROM rm_user WHERE removed_at IS NULL AND tenant_id <> ?
                    AND (email = ? OR lower(btrim(email)) = lower(?))""", Long.class, tenantId,
                    email.strip().toLowerCase(java.util.Locale.ROOT), email.strip());
            return count != null && count > 0;
        } catch (org.springframework.jdbc.BadSqlGrammarException noReadModel) {
            return false;
        }
    }

    /** {@code PUT /admin/v1/tenants/{tenantId}/users/{userId}/role {"role"}} → 204. */
    @PutMapping("/{tenantId}/users/{userId}/role")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void changeRole(@PathVariable String tenantId, @PathVariable String userId, @Valid @RequestBody RoleRequest request) {
        onTenant(tenantId, new ChangeUserRole(tenantId, userId, request.role()));
    }

    /** {@code DELETE /admin/v1/tenants/{tenantId}/users/{userId}} → 204; the user's keys are revoked. */
    @DeleteMapping("/{tenantId}/users/{userId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void removeUser(@PathVariable String tenantId, @PathVariable String userId) {
        onTenant(tenantId, new RemoveUser(tenantId, userId));
    }

    /**
     * {@code POST /admin/v1/tenants/{tenantId}/api-keys {"name","ownerUserId"?,"allowedModels"?,"expiresAt"?}}
     * → 201 {@code {"apiKeyId","key"}}. The key is in this response only; the system keeps its SHA-256.
     */
    @PostMapping("/{tenantId}/api-keys")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, String> issue(@PathVariable String tenantId, @Valid @RequestBody IssueApiKeyRequest request) {
        String apiKeyId = UUID.randomUUID().toString();
        String key = ApiKeys.generate();
        onTenant(tenantId, new IssueApiKey(tenantId, apiKeyId, request.name(), ApiKeys.hash(key), ApiKeys.displayPrefix(key),
                request.ownerUserId(), request.allowedModels(), request.expiresAt()));
        return Map.of("apiKeyId", apiKeyId, "key", key);
    }

    /**
     * {@code POST /admin/v1/tenants/{tenantId}/users/{userId}/api-keys {"name","allowedModels"?,"expiresAt"?}}
     * → 201 {@code {"apiKeyId","key"}}: a key owned by that user. The endpoint a {@code Developer} uses
     * for its own keys ({@code keys:issue-own}); 404 when the user is not in the tenant.
     */
    @PostMapping("/{tenantId}/users/{userId}/api-keys")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, String> issueForUser(@PathVariable String tenantId, @PathVariable String userId,
                                     @Valid @RequestBody UserKeyRequest request) {
        return issue(tenantId, new IssueApiKeyRequest(request.name(), userId, request.allowedModels(), request.expiresAt()));
    }

    /**
     * {@code POST /admin/v1/tenants/{tenantId}/api-keys/{apiKeyId}/rotate {"graceSeconds"?}} → 200
     * {@code {"apiKeyId","key","previousKeyValidUntil"}}: a new secret for the same key id; the old
     * secret keeps working for {@code graceSeconds} (default 3600, at most 604800).
     */
    @PostMapping("/{tenantId}/api-keys/{apiKeyId}/rotate")
    Map<String, Object> rotate(@PathVariable String tenantId, @PathVariable String apiKeyId,
                               @RequestBody(required = false) RotateRequest request) {
        long grace = request == null || request.graceSeconds() == null ? DEFAULT_GRACE_SECONDS : request.graceSeconds();
        String key = ApiKeys.generate();
        Instant before = Instant.now();
        onTenant(tenantId, new RotateApiKey(tenantId, apiKeyId, ApiKeys.hash(key), ApiKeys.displayPrefix(key), grace));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("apiKeyId", apiKeyId);
        result.put("key", key);
        result.put("previousKeyValidUntil", before.plusSeconds(grace));
        return result;
    }

    /** {@code DELETE /admin/v1/tenants/{tenantId}/api-keys/{apiKeyId}} → 204; 404 when unknown. */
    @DeleteMapping("/{tenantId}/api-keys/{apiKeyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String tenantId, @PathVariable String apiKeyId) {
        onTenant(tenantId, new RevokeApiKey(tenantId, apiKeyId));
    }

    /** {@code PUT /admin/v1/tenants/{tenantId}/quota} → 204. */
    @PutMapping("/{tenantId}/quota")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void tenantQuota(@PathVariable String tenantId, @RequestBody QuotaRequest request) {
        onTenant(tenantId, new SetQuotaPolicy(tenantId, QuotaScope.TENANT, tenantId, request.limits()));
    }

    /** {@code PUT /admin/v1/tenants/{tenantId}/users/{userId}/quota} → 204. */
    @PutMapping("/{tenantId}/users/{userId}/quota")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void userQuota(@PathVariable String tenantId, @PathVariable String userId, @RequestBody QuotaRequest request) {
        onTenant(tenantId, new SetQuotaPolicy(tenantId, QuotaScope.USER, userId, request.limits()));
    }

    /** {@code PUT /admin/v1/tenants/{tenantId}/api-keys/{apiKeyId}/quota} → 204. */
    @PutMapping("/{tenantId}/api-keys/{apiKeyId}/quota")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void keyQuota(@PathVariable String tenantId, @PathVariable String apiKeyId, @RequestBody QuotaRequest request) {
        onTenant(tenantId, new SetQuotaPolicy(tenantId, QuotaScope.API_KEY, apiKeyId, request.limits()));
    }

    /**
     * {@code PUT /admin/v1/tenants/{tenantId}/audit-content {"storePromptContent":true|false}} → 204:
     * opt in to (or out of) storing prompt/completion text, masked, in the tenant's audit log.
     */
    @PutMapping("/{tenantId}/audit-content")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void auditContent(@PathVariable String tenantId, @Valid @RequestBody AuditContentRequest request) {
        onTenant(tenantId, new SetAuditContentPolicy(tenantId, request.storePromptContent()));
    }

    private void onTenant(String tenantId, Object command) {
        try {
            commands.sendAndWait(command);
        } catch (AggregateNotFoundException | org.axonframework.eventsourcing.IncompatibleAggregateException e) {
            // incompatible: the id of another aggregate type (a provider's, a route's), which is no tenant either
            throw CommandRejected.notFound("tenantId", "tenant " + tenantId + " not found");
        }
    }
}
