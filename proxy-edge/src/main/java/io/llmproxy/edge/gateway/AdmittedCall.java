package io.llmproxy.edge.gateway;

import io.llmproxy.edge.routing.RoutePlanner;
import java.util.List;
import java.util.function.Function;
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
 * @param first    the attempt at {@code plan[firstIndex]}, prepared at admission
 * @param quota    the allowed quota decision ({@code x-ratelimit-*} headers and the reservation)
 * @param plan     every candidate target, in the order the route's strategy and fallbacks give ({@link RoutePlanner})
 * @param firstIndex the index in {@code plan} of {@code first} (earlier candidates could not be prepared)
 * @param prepare  prepares the attempt at a later candidate (records it on the call); throws {@link GatewayException}
 * @param <T>      chat or embeddings translator
 */
public record AdmittedCall<T extends ProviderTranslator>(ApiKeyEntry key, EdgeSnapshot snapshot, String model,
                                                         RouteEntry route, Attempt<T> first, QuotaDecision quota,
                                                         List<RoutePlanner.Candidate> plan, int firstIndex,
                                                         Function<RoutePlanner.Candidate, Attempt<T>> prepare) {

    /** @return the {@code x-ratelimit-*} headers of the reservation (empty when no limit applies) */
    public Map<String, String> rateLimitHeaders() {
        return quota.headers();
    }
}
