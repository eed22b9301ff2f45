package io.llmproxy.kernel.provider;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * Event: a provider connection was registered. The credential is stored only encrypted
 * (AES-256-GCM under the deployment's master key, see ADR 0001).
 *
 * @param providerId       provider id
 * @param name             display name
 * @param type             provider type wire name ({@code openai})
 * @param baseUrl          base URL
 * @param apiKeyCiphertext encrypted credential, {@code v1:<base64(iv|ciphertext|tag)>}
 * @param occurredAt       when it was registered (UTC)
 * @param additionalApiKeyCiphertexts (revision 2, issue #11) more credentials, encrypted likewise, used in
 *                         turn with the first; a revision 1 payload reads with null (one credential)
 */
@Revision("2")
public record ProviderRegistered(String providerId, String name, String type, String baseUrl,
                                 String apiKeyCiphertext, Instant occurredAt,
                                 java.util.List<String> additionalApiKeyCiphertexts) {

    /** A provider with one credential. */
    public ProviderRegistered(String providerId, String name, String type, String baseUrl, String apiKeyCiphertext,
                              Instant occurredAt) {
        this(providerId, name, type, baseUrl, apiKeyCiphertext, occurredAt, null);
    }
}
