package io.llmproxy.edge.gateway;

import io.llmproxy.edge.provider.ProviderTranslator;
import io.llmproxy.edge.quota.QuotaDecision;
import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ApiKeyEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import java.util.Map;

/**
 * A call that {@link Admission} let through: who calls, which route serves it, the first attempt
 * prepared, and the quota reserved (settled when the call finishes, whichever way).
 *
 * @param key      the caller's API key (tenant, user, allow-list)
 * @param snapshot the snapshot the call was admitted on (use it for the rest of the call)
 * @param model    the public model name the client asked for
 * @param route    the route of that name for the key's tenant (its targets, in order)
 * @param first    the attempt at the route's first target
 * @param quota    the allowed quota decision ({@code x-ratelimit-*} headers and the reservation)
 * @param <T>      chat or embeddings translator
 */
public record AdmittedCall<T extends ProviderTranslator>(ApiKeyEntry key, EdgeSnapshot snapshot, String model,
                                                         RouteEntry route, Attempt<T> first, QuotaDecision quota) {

    /** @return the {@code x-ratelimit-*} headers of the reservation (empty when no limit applies) */
    public Map<String, String> rateLimitHeaders() {
        return quota.headers();
    }
}
