package io.llmproxy.edge.provider.cohere;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** URLs and error bodies of the Cohere provider. */
final class CohereUrls {

    private CohereUrls() {
    }

    /**
     * @param baseUrl the API root ({@code https://api.cohere.com}); a trailing {@code /}, {@code /v1} or
     *                {@code /v2} is tolerated
     * @return {@code <base>/v2/<endpoint>}
     */
    static String v2(String baseUrl, String endpoint) {
        String base = baseUrl;
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (base.endsWith("/v2") || base.endsWith("/v1")) {
            base = base.substring(0, base.length() - 3);
        }
        return base + "/v2/" + endpoint;
    }

    /** @return the {@code message} of a Cohere error body ({@code {"id"?,"message":"…"}}), or null */
    static String errorMessage(JsonMapper json, byte[] body) {
        try {
            return json.readTree(body).path("message").asString(null);
        } catch (JacksonException | IllegalArgumentException e) {
            return null;
        }
    }
}
