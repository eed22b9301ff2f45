package io.llmproxy.edge.provider.azure;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Azure OpenAI data-plane URLs (https://learn.microsoft.com/azure/ai-services/openai/reference):
 * {@code POST {endpoint}/openai/deployments/{deployment}/{operation}?api-version={version}}.
 *
 * <p>The provider's {@code baseUrl} is the resource endpoint, e.g.
 * {@code https://my-resource.openai.azure.com}; {@code …/}, {@code …/openai} and {@code …/openai/}
 * work the same. <b>api-version precedence</b>: an {@code api-version} query parameter on the
 * provider's base URL ({@code https://my-resource.openai.azure.com/openai?api-version=2024-06-01}),
 * else {@link #DEFAULT_API_VERSION}. The client's request never chooses it.
 */
final class AzureUrls {

    /** The api-version used when the base URL names none: the GA data-plane version of 2024-10-21. */
    static final String DEFAULT_API_VERSION = "2024-10-21";

    private AzureUrls() {
    }

    /**
     * @param baseUrl    the provider's base URL (endpoint, optionally with {@code /openai} and {@code ?api-version=})
     * @param deployment the deployment name (the route's target model)
     * @param operation  {@code chat/completions} or {@code embeddings}
     */
    static String url(String baseUrl, String deployment, String operation) {
        URI uri = URI.create(baseUrl.trim());
        String apiVersion = DEFAULT_API_VERSION;
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.startsWith("api-version=") && pair.length() > "api-version=".length()) {
                    apiVersion = pair.substring("api-version=".length());
                }
            }
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.endsWith("/openai")) {
            path = path.substring(0, path.length() - "/openai".length());
        }
        String origin = uri.getScheme() + "://" + uri.getRawAuthority();
        return origin + path + "/openai/deployments/" + URLEncoder.encode(deployment, StandardCharsets.UTF_8).replace("+", "%20")
                + "/" + operation + "?api-version=" + apiVersion;
    }
}
