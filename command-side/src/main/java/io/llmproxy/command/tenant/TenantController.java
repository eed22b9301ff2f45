package io.llmproxy.command.tenant;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.apikey.IssueApiKey;
import io.llmproxy.kernel.apikey.RevokeApiKey;
import io.llmproxy.kernel.tenant.CreateTenant;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.Map;
import java.util.UUID;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Admin commands on tenants and their API keys ({@code /admin/v1/tenants}). */
@RestController
@RequestMapping("/admin/v1/tenants")
class TenantController {

    private final CommandGateway commands;

    TenantController(CommandGateway commands) {
        this.commands = commands;
    }

    record CreateTenantRequest(@NotBlank @Size(max = 200) String name) {
    }

    record IssueApiKeyRequest(@NotBlank @Size(max = 200) String name) {
    }

    /** {@code POST /admin/v1/tenants {"name"}} → 201 {@code {"tenantId"}}. */
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, String> create(@Valid @RequestBody CreateTenantRequest request) {
        String tenantId = UUID.randomUUID().toString();
        commands.sendAndWait(new CreateTenant(tenantId, request.name()));
        return Map.of("tenantId", tenantId);
    }

    /**
     * {@code POST /admin/v1/tenants/{tenantId}/api-keys {"name"}} → 201 {@code {"apiKeyId","key"}}.
     * The key is in this response only; the system keeps its SHA-256.
     */
    @PostMapping("/{tenantId}/api-keys")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, String> issue(@PathVariable String tenantId, @Valid @RequestBody IssueApiKeyRequest request) {
        String apiKeyId = UUID.randomUUID().toString();
        String key = ApiKeys.generate();
        onTenant(tenantId, new IssueApiKey(tenantId, apiKeyId, request.name(), ApiKeys.hash(key), ApiKeys.displayPrefix(key)));
        return Map.of("apiKeyId", apiKeyId, "key", key);
    }

    /** {@code DELETE /admin/v1/tenants/{tenantId}/api-keys/{apiKeyId}} → 204; 404 when unknown. */
    @DeleteMapping("/{tenantId}/api-keys/{apiKeyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String tenantId, @PathVariable String apiKeyId) {
        onTenant(tenantId, new RevokeApiKey(tenantId, apiKeyId));
    }

    private void onTenant(String tenantId, Object command) {
        try {
            commands.sendAndWait(command);
        } catch (AggregateNotFoundException e) {
            throw CommandRejected.notFound("tenantId", "tenant " + tenantId + " not found");
        }
    }
}
