package io.llmproxy.edge.provider;

import java.util.Map;

/**
 * The HTTP request to send to a provider.
 *
 * @param url     absolute URL
 * @param headers request headers (include the provider credential: never log this record)
 * @param body    JSON body bytes
 */
public record UpstreamRequest(String url, Map<String, String> headers, byte[] body) {
    @Override
    public String toString() {
        return "UpstreamRequest[url=" + url + ", headers=" + headers.keySet() + ", body=" + body.length + " bytes]";
    }
}
