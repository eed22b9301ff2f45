package io.llmproxy.edge.provider;

import java.util.Map;

/**
 * The HTTP request to send to a provider.
 *
 * @param url     absolute URL
 * @param headers request headers (include the provider credential: never log this record)
 * @param body    JSON body bytes
 * @param idleTimeoutMs the route's idle timeout (issue #11), or null for the edge's {@code upstream-idle-timeout}
 */
public record UpstreamRequest(String url, Map<String, String> headers, byte[] body, Integer idleTimeoutMs) {

    /** A request with the edge's idle timeout. */
    public UpstreamRequest(String url, Map<String, String> headers, byte[] body) {
        this(url, headers, body, null);
    }

    /** @return this request with the route's idle timeout in ms (null: the edge's {@code upstream-idle-timeout}) */
    public UpstreamRequest withIdleTimeout(Integer ms) {
        return ms == null ? this : new UpstreamRequest(url, headers, body, ms);
    }

    /** @return this request with {@code extra} headers added (e.g. the W3C {@code traceparent}); this one when none */
    public UpstreamRequest withHeaders(Map<String, String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        all.putAll(extra);
        return new UpstreamRequest(url, all, body, idleTimeoutMs);
    }

    @Override
    public String toString() {
        return "UpstreamRequest[url=" + url + ", headers=" + headers.keySet() + ", body=" + body.length + " bytes]";
    }
}
