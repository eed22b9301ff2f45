package io.llmproxy.command.provider;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.command.common.Text;
import io.llmproxy.kernel.provider.ProviderType;
import io.llmproxy.kernel.provider.RegisterProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;

/** Pure checks of a provider registration (no Axon, no Spring). */
final class ProviderRules {

    private ProviderRules() {
    }

    static void check(RegisterProvider command) {
        Text.requireClean("name", command.name());
        Text.requireClean("baseUrl", command.baseUrl());
        if (command.name() == null || command.name().isBlank() || command.name().strip().length() > 200) {
            throw CommandRejected.invalid("name", "name must be 1..200 characters");
        }
        if (ProviderType.fromWireName(command.type()).isEmpty()) {
            throw CommandRejected.invalid("type", "type must be one of "
                    + Arrays.stream(ProviderType.values()).map(ProviderType::wireName).toList());
        }
        normaliseBaseUrl(command.baseUrl(), command.type());
        if (command.apiKeyCiphertext() == null || command.apiKeyCiphertext().isBlank()) {
            throw CommandRejected.invalid("apiKey", "apiKey must not be blank");
        }
    }

    /** An Azure OpenAI base URL may name its data-plane api-version, e.g. {@code ?api-version=2024-10-21}. */
    private static final java.util.regex.Pattern AZURE_API_VERSION_QUERY =
            java.util.regex.Pattern.compile("api-version=[A-Za-z0-9._-]{1,40}");

    /**
     * @param type the provider type's wire name; {@code azure-openai} base URLs may carry exactly one
     *             query parameter, {@code api-version} (the edge's api-version for that provider)
     * @return the base URL without trailing slashes
     * @throws CommandRejected when it is not an absolute http(s) URL
     */
    static String normaliseBaseUrl(String baseUrl, String type) {
        try {
            URI uri = new URI(baseUrl == null ? "" : baseUrl.strip());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw CommandRejected.invalid("baseUrl", "baseUrl must be an absolute http(s) URL");
            }
            boolean azureApiVersion = "azure-openai".equals(type) && uri.getRawQuery() != null
                    && AZURE_API_VERSION_QUERY.matcher(uri.getRawQuery()).matches();
            if (uri.getRawUserInfo() != null || (uri.getRawQuery() != null && !azureApiVersion) || uri.getRawFragment() != null) {
                throw CommandRejected.invalid("baseUrl",
                        "baseUrl must not carry credentials, a query or a fragment (the apiKey field holds the credential)");
            }
            String s = uri.toString();
            while (s.endsWith("/")) {
                s = s.substring(0, s.length() - 1);
            }
            return s;
        } catch (URISyntaxException e) {
            throw CommandRejected.invalid("baseUrl", "baseUrl is not a valid URL: " + e.getReason());
        }
    }
}
