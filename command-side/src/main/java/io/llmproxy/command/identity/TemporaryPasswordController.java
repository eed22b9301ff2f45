package io.llmproxy.command.identity;

import io.llmproxy.adminweb.Problems;
import io.llmproxy.identity.UserDirectory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /admin/v1/tenants/{tenantId}/users/{userId}/temporary-password} → 200
 * {@code {"username","temporaryPassword","requiredActions":["UPDATE_PASSWORD"]}} (issue #10): a new
 * temporary password for the tenant user's Keycloak user, which Keycloak makes the person replace
 * at the first sign-in. The password is in this response only: never logged, never in an event.
 * Needs {@code users:manage} at the tenant (TenantAdmin, PlatformAdmin).
 *
 * <p>Errors (problem JSON): 404 {@code userId} for a user not in that tenant (or removed); 409
 * {@code not_provisioned} when its Keycloak user does not exist yet, or exists but is not this tenant's
 * (another tenant's, or an account LLM Proxy did not create: its password is never set from here,
 * {@link UserDirectory}); 503 {@code identity_unavailable}
 * when provisioning is off ({@code llmproxy.identity.provisioning.enabled}) or Keycloak cannot be
 * reached. The tenant user is read from the read model {@code rm_user} (a data dependency, like the
 * role assignments the authorisation reads).
 */
@RestController
class TemporaryPasswordController {

    private static final Logger log = LoggerFactory.getLogger(TemporaryPasswordController.class);

    private final ObjectProvider<UserDirectory> directory;
    private final JdbcTemplate jdbc;

    TemporaryPasswordController(ObjectProvider<UserDirectory> directory, JdbcTemplate jdbc) {
        this.directory = directory;
        this.jdbc = jdbc;
    }

    @PostMapping("/admin/v1/tenants/{tenantId}/users/{userId}/temporary-password")
    ResponseEntity<?> temporaryPassword(@PathVariable String tenantId, @PathVariable String userId) {
        UserDirectory users = directory.getIfAvailable();
        if (users == null) {
            return Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, "identity_unavailable", null,
                    "Keycloak provisioning is not configured on this deployment");
        }
        List<String> email = jdbc.queryForList(
                "SELECT email FROM rm_user WHERE tenant_id = ? AND user_id = ? AND removed_at IS NULL", String.class,
                tenantId, userId);
        if (email.isEmpty()) {
            return Problems.problem(HttpStatus.NOT_FOUND, "not_found", "userId", "user " + userId + " not found in tenant " + tenantId);
        }
        String username = email.get(0).strip().toLowerCase(java.util.Locale.ROOT);
        try {
            if (users.findInTenant(username, tenantId).isEmpty()) {
                return Problems.problem(HttpStatus.CONFLICT, "not_provisioned", "userId",
                        "the user's Keycloak account is not provisioned for this tenant; see identity.state in GET …/users");
            }
            String password = users.setTemporaryPassword(username, tenantId);
            log.info("Temporary password set for tenant user {} of tenant {}", userId, tenantId);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("username", username);
            body.put("temporaryPassword", password);
            body.put("requiredActions", List.of(UserDirectory.UPDATE_PASSWORD));
            return ResponseEntity.ok().header("Cache-Control", "no-store").body(body);
        } catch (UserDirectory.ClaimedElsewhereException e) {
            // claimed by someone else between the look and the reset
            return Problems.problem(HttpStatus.CONFLICT, "not_provisioned", "userId",
                    "the user's Keycloak account is not provisioned for this tenant; see identity.state in GET …/users");
        } catch (UserDirectory.UnreachableException e) {
            return Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, "identity_unavailable", null,
                    "Keycloak cannot be reached; try again later");
        }
    }
}
