package io.llmproxy.command.tenant;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.kernel.apikey.IssueApiKey;
import java.util.Map;

/** Pure decisions of the tenant aggregate (no Axon, no Spring). */
final class TenantRules {

    enum KeyStatus { ACTIVE, REVOKED }

    static final int MAX_NAME_LENGTH = 200;

    private TenantRules() {
    }

    static void requireName(String name) {
        if (name == null || name.isBlank()) {
            throw CommandRejected.invalid("name", "name must not be blank");
        }
        if (name.strip().length() > MAX_NAME_LENGTH) {
            throw CommandRejected.invalid("name", "name must be at most " + MAX_NAME_LENGTH + " characters");
        }
    }

    static void checkIssue(Map<String, KeyStatus> keys, IssueApiKey command) {
        requireName(command.name());
        if (command.keyHash() == null || !command.keyHash().matches("[0-9a-f]{64}")) {
            throw CommandRejected.invalid("keyHash", "keyHash must be a SHA-256 in lowercase hex");
        }
        if (keys.containsKey(command.apiKeyId())) {
            throw CommandRejected.conflict("apiKeyId", "API key " + command.apiKeyId() + " already exists");
        }
    }

    /** @return true when the key is active and must now be revoked, false when already revoked */
    static boolean mustRevoke(Map<String, KeyStatus> keys, String apiKeyId) {
        KeyStatus status = keys.get(apiKeyId);
        if (status == null) {
            throw CommandRejected.notFound("apiKeyId", "API key " + apiKeyId + " not found in this tenant");
        }
        return status == KeyStatus.ACTIVE;
    }
}
