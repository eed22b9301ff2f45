package io.llmproxy.command.tenant;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.command.common.Text;
import io.llmproxy.kernel.apikey.IssueApiKey;
import io.llmproxy.kernel.apikey.RotateApiKey;
import io.llmproxy.kernel.quota.QuotaLimits;
import io.llmproxy.kernel.quota.SetQuotaPolicy;
import io.llmproxy.kernel.user.AddUser;
import io.llmproxy.kernel.user.ChangeUserRole;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Pure decisions of the tenant aggregate (no Axon, no Spring). */
final class TenantRules {

    /** What the aggregate remembers of a user. */
    record UserState(String email, io.llmproxy.kernel.user.UserRole role) {
    }

    /** What the aggregate remembers of a key. */
    record KeyState(boolean active, String ownerUserId, String keyHash) {
    }

    static final int MAX_NAME_LENGTH = 200;
    /** Largest count a quota limit may be (10^15 tokens or requests). */
    static final long MAX_LIMIT = 1_000_000_000_000_000L;
    /** Largest monthly spend limit, USD. */
    static final BigDecimal MAX_SPEND_USD = new BigDecimal("1000000000");
    /** Longest grace period of a rotated key: 7 days, in seconds. */
    static final long MAX_GRACE_SECONDS = 7 * 24 * 3600;

    private TenantRules() {
    }

    static void requireName(String name) {
        Text.requireClean("name", name);
        if (name == null || name.isBlank()) {
            throw CommandRejected.invalid("name", "name must not be blank");
        }
        if (name.strip().length() > MAX_NAME_LENGTH) {
            throw CommandRejected.invalid("name", "name must be at most " + MAX_NAME_LENGTH + " characters");
        }
    }

    static void checkAddUser(Map<String, UserState> users, AddUser command) {
        Text.requireClean("email", command.email());
        if (command.email() == null || !command.email().strip().matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw CommandRejected.invalid("email", "email must be an e-mail address");
        }
        // the limits of an address in SMTP (RFC 5321 4.5.3.1), which Keycloak's user profile enforces too
        String address = command.email().strip();
        if (address.length() > 254 || address.indexOf('@') > 64) {
            throw CommandRejected.invalid("email", "email must be at most 254 characters, with at most 64 before the @");
        }
        if (command.role() == null) {
            throw CommandRejected.invalid("role", "role must be one of TenantAdmin, Developer, Reader");
        }
        String email = command.email().strip().toLowerCase(java.util.Locale.ROOT);
        if (users.values().stream().anyMatch(u -> u.email().equals(email))) {
            throw CommandRejected.conflict("email", "a user with e-mail " + email + " already exists in this tenant");
        }
        if (users.containsKey(command.userId())) {
            throw CommandRejected.conflict("userId", "user " + command.userId() + " already exists");
        }
    }

    static UserState requireUser(Map<String, UserState> users, String userId) {
        UserState user = users.get(userId);
        if (user == null) {
            throw CommandRejected.notFound("userId", "user " + userId + " not found in this tenant");
        }
        return user;
    }

    /** @return true when the role differs and must change */
    static boolean mustChangeRole(Map<String, UserState> users, ChangeUserRole command) {
        if (command.role() == null) {
            throw CommandRejected.invalid("role", "role must be one of TenantAdmin, Developer, Reader");
        }
        return requireUser(users, command.userId()).role() != command.role();
    }

    static List<String> activeKeysOwnedBy(Map<String, KeyState> keys, String userId) {
        return keys.entrySet().stream()
                .filter(e -> e.getValue().active() && userId.equals(e.getValue().ownerUserId()))
                .map(Map.Entry::getKey).sorted().toList();
    }

    static void checkIssue(Map<String, UserState> users, Map<String, KeyState> keys, IssueApiKey command, Instant now) {
        requireName(command.name());
        requireHash("keyHash", command.keyHash());
        if (keys.containsKey(command.apiKeyId())) {
            throw CommandRejected.conflict("apiKeyId", "API key " + command.apiKeyId() + " already exists");
        }
        if (command.ownerUserId() != null && !users.containsKey(command.ownerUserId())) {
            throw CommandRejected.notFound("ownerUserId", "user " + command.ownerUserId() + " not found in this tenant");
        }
        if (command.allowedModels() != null) {
            if (command.allowedModels().isEmpty()) {
                throw CommandRejected.invalid("allowedModels", "allowedModels must list at least one model, or be absent");
            }
            if (command.allowedModels().stream().anyMatch(m -> m == null || m.isBlank())) {
                throw CommandRejected.invalid("allowedModels", "allowedModels must not contain blank names");
            }
            command.allowedModels().forEach(m -> Text.requireClean("allowedModels", m));
            if (command.allowedModels().size() > 1000) {
                throw CommandRejected.invalid("allowedModels", "allowedModels may list at most 1000 models");
            }
        }
        if (command.expiresAt() != null && !command.expiresAt().isAfter(now)) {
            throw CommandRejected.invalid("expiresAt", "expiresAt must be in the future");
        }
        Text.requireRepresentable("expiresAt", command.expiresAt());
    }

    static KeyState checkRotate(Map<String, KeyState> keys, RotateApiKey command) {
        requireHash("newKeyHash", command.newKeyHash());
        KeyState key = keys.get(command.apiKeyId());
        if (key == null) {
            throw CommandRejected.notFound("apiKeyId", "API key " + command.apiKeyId() + " not found in this tenant");
        }
        if (!key.active()) {
            throw CommandRejected.conflict("apiKeyId", "API key " + command.apiKeyId() + " is revoked");
        }
        if (command.graceSeconds() < 0 || command.graceSeconds() > MAX_GRACE_SECONDS) {
            throw CommandRejected.invalid("graceSeconds", "graceSeconds must be 0.." + MAX_GRACE_SECONDS);
        }
        return key;
    }

    /** @return true when the key is active and must now be revoked, false when already revoked */
    static boolean mustRevoke(Map<String, KeyState> keys, String apiKeyId) {
        KeyState key = keys.get(apiKeyId);
        if (key == null) {
            throw CommandRejected.notFound("apiKeyId", "API key " + apiKeyId + " not found in this tenant");
        }
        return key.active();
    }

    static void checkQuota(String tenantId, Map<String, UserState> users, Map<String, KeyState> keys,
                           SetQuotaPolicy command) {
        if (command.scope() == null) {
            throw CommandRejected.invalid("scope", "scope must be TENANT, USER or API_KEY");
        }
        switch (command.scope()) {
            case TENANT -> {
                if (!tenantId.equals(command.subjectId())) {
                    throw CommandRejected.invalid("subjectId", "a tenant policy's subject is the tenant itself");
                }
            }
            case USER -> requireUser(users, command.subjectId());
            case API_KEY -> {
                if (!keys.containsKey(command.subjectId())) {
                    throw CommandRejected.notFound("apiKeyId", "API key " + command.subjectId() + " not found in this tenant");
                }
            }
        }
        QuotaLimits l = command.limits() == null ? QuotaLimits.NONE : command.limits();
        nonNegative("requestsPerMinute", l.requestsPerMinute());
        nonNegative("requestsPerDay", l.requestsPerDay());
        nonNegative("tokensPerMinute", l.tokensPerMinute());
        nonNegative("tokensPerDay", l.tokensPerDay());
        nonNegative("tokensPerMonth", l.tokensPerMonth());
        nonNegative("maxConcurrentRequests", l.maxConcurrentRequests());
        if (l.monthlySpendLimitUsd() != null) {
            BigDecimal spend;
            try {
                spend = new BigDecimal(l.monthlySpendLimitUsd());
            } catch (NumberFormatException e) {
                throw CommandRejected.invalid("monthlySpendLimitUsd", "monthlySpendLimitUsd must be a decimal number");
            }
            if (spend.signum() < 0 || spend.compareTo(MAX_SPEND_USD) > 0 || spend.scale() > 6) {
                throw CommandRejected.invalid("monthlySpendLimitUsd",
                        "monthlySpendLimitUsd must be 0.." + MAX_SPEND_USD.toPlainString() + " USD with at most 6 decimals");
            }
        }
        if (l.whenQuotaStoreDown() != null) {
            if (command.scope() != io.llmproxy.kernel.quota.QuotaScope.TENANT) {
                throw CommandRejected.invalid("whenQuotaStoreDown", "whenQuotaStoreDown is a tenant-level setting");
            }
            if (!QuotaLimits.FAIL_OPEN.equals(l.whenQuotaStoreDown()) && !QuotaLimits.FAIL_CLOSED.equals(l.whenQuotaStoreDown())) {
                throw CommandRejected.invalid("whenQuotaStoreDown", "whenQuotaStoreDown must be fail-closed or fail-open");
            }
        }
    }

    private static void nonNegative(String field, Long value) {
        if (value != null && (value < 0 || value > MAX_LIMIT)) {
            throw CommandRejected.invalid(field, field + " must be 0.." + MAX_LIMIT);
        }
    }

    private static void requireHash(String field, String hash) {
        if (hash == null || !hash.matches("[0-9a-f]{64}")) {
            throw CommandRejected.invalid(field, field + " must be a SHA-256 in lowercase hex");
        }
    }
}
