package io.llmproxy.edge.snapshot;

import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.kernel.secret.SecretCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code rm_provider} → the provider connections with their credential decrypted; a credential
 * this edge's {@code LLMPROXY_SECRET_KEY} cannot decrypt is logged (never its value) and left null,
 * so calls to that provider answer 502.
 */
final class ProviderLoader implements TableLoader {

    private static final Logger log = LoggerFactory.getLogger(ProviderLoader.class);
    private static final tools.jackson.databind.json.JsonMapper JSON = new tools.jackson.databind.json.JsonMapper();
    private final SecretCipher cipher;

    ProviderLoader(SecretCipher cipher) {
        this.cipher = cipher;
    }

    @Override
    public ChangeSource source() {
        return ChangeSource.ADMIN_READ_MODEL;
    }

    @Override
    public String table() {
        return "rm_provider";
    }

    @Override
    public void load(JdbcTemplate jdbc, SnapshotDraft draft) {
        jdbc.query("""
                SELECT provider_id, name, type, base_url, api_key_ciphertext, change_index, extra_api_key_ciphertexts::text
                FROM rm_provider WHERE change_index > ?""",
                rs -> {
                    String providerId = rs.getString(1);
                    java.util.List<String> extra = new java.util.ArrayList<>();
                    String extraJson = rs.getString(7);
                    if (extraJson != null) {
                        for (String ciphertext : JSON.readValue(extraJson, String[].class)) {
                            String clear = decrypt(providerId, ciphertext);
                            if (clear != null) {
                                extra.add(clear);
                            }
                        }
                    }
                    draft.providers.put(providerId, new ProviderEntry(providerId, rs.getString(2), rs.getString(3),
                            rs.getString(4), decrypt(providerId, rs.getString(5)), extra));
                    draft.seen(source(), rs.getLong(6));
                }, draft.since(source()));
    }

    private String decrypt(String providerId, String ciphertext) {
        try {
            return cipher.decrypt(ciphertext);
        } catch (IllegalArgumentException e) {
            log.error("Provider {} credential cannot be decrypted with this LLMPROXY_SECRET_KEY; calls to it will fail", providerId);
            return null;
        }
    }
}
