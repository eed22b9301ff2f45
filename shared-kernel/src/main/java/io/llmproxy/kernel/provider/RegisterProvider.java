package io.llmproxy.kernel.provider;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Command: register a provider connection (an upstream LLM API).
 *
 * @param providerId          new provider id (UUID string)
 * @param name                display name, unique by convention, 1..200 characters
 * @param type                provider type, one of {@link ProviderType}'s wire names
 * @param baseUrl             base URL as the provider's SDK takes it (e.g. {@code https://api.openai.com/v1})
 * @param apiKeyCiphertext    the provider credential encrypted by {@link io.llmproxy.kernel.secret.SecretCipher};
 *                            the clear credential never enters a command or event
 * @param additionalApiKeyCiphertexts more credentials of the same provider, encrypted likewise, used in
 *                            turn with the first (issue #11); empty or null for none, at most 9
 */
public record RegisterProvider(@TargetAggregateIdentifier String providerId, String name, String type,
                               String baseUrl, String apiKeyCiphertext, java.util.List<String> additionalApiKeyCiphertexts) {

    /** A provider with one credential. */
    public RegisterProvider(String providerId, String name, String type, String baseUrl, String apiKeyCiphertext) {
        this(providerId, name, type, baseUrl, apiKeyCiphertext, null);
    }
}
