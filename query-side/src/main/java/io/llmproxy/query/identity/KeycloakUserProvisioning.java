package io.llmproxy.query.identity;

import io.llmproxy.identity.UserDirectory;
import io.llmproxy.kernel.user.UserAdded;
import io.llmproxy.kernel.user.UserRemoved;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Provisions tenant users into Keycloak from the events (issue #10, ADR 0016): {@link UserAdded} →
 * the user exists, enabled, with {@code UPDATE_PASSWORD} ({@link UserDirectory#ensureUser});
 * {@link UserRemoved} → it is disabled and its sessions end. Its own tracking processor
 * ({@value #GROUP}) keeps its place in the event store, so a restart resumes and never repeats.
 *
 * <p>Keycloak down: a step that fails is recorded ({@code identity_provisioning.state = failing},
 * attempts, the error's type and message) and rethrown; the processor's error handler propagates
 * it, so Axon's tracking processor retries the same event with its incremental back-off (1 s
 * doubling to 60 s) until it succeeds; later events wait behind it, keeping add-then-remove in order.
 * Every step is idempotent, so a retry or a replay changes nothing more.
 *
 * <p>An e-mail whose Keycloak user another tenant provisioned is never taken over
 * ({@link UserDirectory.ClaimedElsewhereException}): the user is recorded {@code conflict} (its roles
 * count for nothing), nothing in Keycloak changes, and later events go on (a retry cannot help). An
 * e-mail whose Keycloak user LLM Proxy did not create (made by an operator, or federated from a
 * directory: no {@value UserDirectory#TENANT_ATTRIBUTE}) is linked, not adopted: recorded {@code external},
 * its roles count, and Keycloak is left as it is, so no tenant admin sets its password or disables it.
 * Removing a {@code conflict} or {@code external} user leaves that Keycloak user as it is.
 *
 * <p>Keycloak refusing the request itself (a 4xx other than 401, 403, 408 and 429: say 400
 * {@code error-invalid-email} for an address its user profile does not take) is permanent too: the user
 * is recorded {@code rejected} with Keycloak's answer, and later events go on. Retrying it would hold every
 * later user of every tenant behind it for good. An unreachable Keycloak, a 5xx, or our own admin
 * connection refused (401, 403) are retried as above.
 */
@ProcessingGroup(KeycloakUserProvisioning.GROUP)
public class KeycloakUserProvisioning {

    /** Processing group (tracking event processor) name. */
    public static final String GROUP = "keycloak-user-provisioning";
    private static final Logger log = LoggerFactory.getLogger(KeycloakUserProvisioning.class);

    private final UserDirectory directory;
    private final JdbcTemplate jdbc;
    private final org.springframework.transaction.support.TransactionTemplate separately;

    /**
     * @param transactions the failure is recorded in a transaction of its own: the event's unit of
     *                     work is rolled back when the failure propagates
     */
    public KeycloakUserProvisioning(UserDirectory directory, JdbcTemplate jdbc,
                                    org.springframework.transaction.PlatformTransactionManager transactions) {
        this.directory = directory;
        this.jdbc = jdbc;
        this.separately = new org.springframework.transaction.support.TransactionTemplate(transactions);
        this.separately.setPropagationBehavior(org.springframework.transaction.TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    @EventHandler
    void on(UserAdded e) {
        if (e.email() == null || e.email().isBlank()) {
            return;
        }
        String username = e.email().strip().toLowerCase(Locale.ROOT);
        java.util.Optional<org.keycloak.representations.idm.UserRepresentation> external;
        try {
            external = directory.find(username).filter(UserDirectory::external);
        } catch (RuntimeException unreachable) {
            external = java.util.Optional.empty(); // the step below meets the same failure, and is retried
        }
        if (external.isPresent()) {
            record(e.tenantId(), e.userId(), username, external.get().getId(), "external", null);
            return;
        }
        try {
            step(e.tenantId(), e.userId(), username,
                    () -> directory.ensureUser(username, e.tenantId(), e.userId()), "provisioned");
        } catch (UserDirectory.ClaimedElsewhereException claimed) {
            record(e.tenantId(), e.userId(), username, null, "conflict", claimed.getMessage());
            log.warn("Tenant user {} ({}) not provisioned: {}", e.userId(), e.tenantId(), claimed.getMessage());
        }
    }

    /** @return true for Keycloak's refusal of the request itself, which no retry changes */
    static boolean refusedForGood(RuntimeException failure) {
        if (!(failure instanceof jakarta.ws.rs.WebApplicationException web) || web.getResponse() == null) {
            return false;
        }
        int status = web.getResponse().getStatus();
        return status >= 400 && status < 500 && status != 401 && status != 403 && status != 408 && status != 429;
    }

    /** @return Keycloak's answer to a refused request, bounded, for {@code lastError} */
    private static String refusal(jakarta.ws.rs.WebApplicationException web) {
        String body;
        try {
            body = web.getResponse().hasEntity() ? web.getResponse().readEntity(String.class) : "";
        } catch (RuntimeException unreadable) {
            body = "";
        }
        String error = "Keycloak refused it (HTTP " + web.getResponse().getStatus() + ")" + (body.isBlank() ? "" : ": " + body);
        return error.length() > 500 ? error.substring(0, 500) : error;
    }

    @EventHandler
    void on(UserRemoved e) {
        List<String> username = jdbc.queryForList(
                "SELECT username FROM identity_provisioning WHERE tenant_id = ? AND user_id = ? AND state NOT IN ('conflict', 'external')",
                String.class, e.tenantId(), e.userId());
        if (username.isEmpty()) {
            return; // never provisioned (before provisioning was on, without an e-mail), or its Keycloak user not ours
        }
        step(e.tenantId(), e.userId(), username.get(0), () -> {
            directory.disableUser(username.get(0), e.tenantId()); // another tenant's user is left as it is
            return null;
        }, "disabled");
    }

    private void record(String tenantId, String userId, String username, String keycloakId, String state, String error) {
        jdbc.update("""
                INSERT INTO identity_provisioning (tenant_id, user_id, username, keycloak_user_id, state, attempts, last_error, updated_at)
                VALUES (?, ?, ?, ?, ?, 0, ?, ?)
                ON CONFLICT (tenant_id, user_id) DO UPDATE SET username = excluded.username,
                    keycloak_user_id = COALESCE(excluded.keycloak_user_id, identity_provisioning.keycloak_user_id),
                    state = excluded.state, attempts = 0, last_error = excluded.last_error, updated_at = excluded.updated_at""",
                tenantId, userId, username, keycloakId, state, error, Timestamp.from(Instant.now()));
    }

    private void step(String tenantId, String userId, String username, Supplier<String> action, String done) {
        try {
            record(tenantId, userId, username, action.get(), done, null);
        } catch (UserDirectory.ClaimedElsewhereException claimed) {
            throw claimed;
        } catch (RuntimeException failure) {
            if (refusedForGood(failure)) {
                String error = refusal((jakarta.ws.rs.WebApplicationException) failure);
                record(tenantId, userId, username, null, "rejected", error);
                log.warn("Keycloak refused tenant user {} ({}) for good, not retried: {}", userId, tenantId, error);
                return;
            }
            String error = failure.getClass().getSimpleName() + ": " + String.valueOf(failure.getMessage());
            separately.executeWithoutResult(tx -> jdbc.update("""
                    INSERT INTO identity_provisioning (tenant_id, user_id, username, state, attempts, last_error, updated_at)
                    VALUES (?, ?, ?, 'failing', 1, ?, ?)
                    ON CONFLICT (tenant_id, user_id) DO UPDATE SET state = 'failing',
                        attempts = identity_provisioning.attempts + 1, last_error = excluded.last_error,
                        updated_at = excluded.updated_at""",
                    tenantId, userId, username, error.length() > 500 ? error.substring(0, 500) : error,
                    Timestamp.from(Instant.now())));
            log.warn("Keycloak provisioning of tenant user {} ({}) failed, will retry: {}", userId, tenantId, error);
            throw failure;
        }
    }
}
