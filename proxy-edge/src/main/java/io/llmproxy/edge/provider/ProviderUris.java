package io.llmproxy.edge.provider;

import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Provider URLs parsed once: the URLs a provider is called on are few (its base URL and a path per
 * operation), and parsing one anew on every call was ~2 % of the event loops' time (issue #16). Used for
 * the request's URI ({@code UpstreamClient}) and for the base URL's path ({@link OpenAiCompatibleChatTranslator#v1Url}).
 */
public final class ProviderUris {

    static final int MAX_CACHED = 4096;
    private static final ConcurrentHashMap<String, URI> URIS = new ConcurrentHashMap<>();

    private ProviderUris() {
    }

    /**
     * @return {@code url} parsed, from a cache that is emptied when it passes {@value #MAX_CACHED} entries
     * @throws IllegalArgumentException when {@code url} is not a URI (never cached)
     */
    public static URI parse(String url) {
        URI uri = URIS.get(url);
        if (uri == null) {
            uri = URI.create(url);
            if (URIS.size() >= MAX_CACHED) {
                URIS.clear();
            }
            URIS.put(url, uri);
        }
        return uri;
    }

    /** @return how many parsed URLs the cache holds (for tests) */
    public static int cached() {
        return URIS.size();
    }
}
