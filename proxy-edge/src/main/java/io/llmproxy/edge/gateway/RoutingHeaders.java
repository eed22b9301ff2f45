package io.llmproxy.edge.gateway;

import io.llmproxy.edge.call.Call;
import io.llmproxy.kernel.usage.UsageAttempt;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routing headers (issue #11) of a gateway response, success or error, once the call made at
 * least one upstream attempt: {@value #PROVIDER} (provider id of the last attempt, the one that served
 * on success), {@value #MODEL} (its provider model) and {@value #ATTEMPTS} (how many attempts were
 * made). The frames compute them just before the response is committed
 * ({@link io.llmproxy.edge.http.EdgeResponse#atCommit}), so a stream's headers carry them too.
 */
final class RoutingHeaders {

    /** Header: the provider id the call went to last. */
    static final String PROVIDER = "x-llmproxy-provider";
    /** Header: the provider model the call went to last. */
    static final String MODEL = "x-llmproxy-model";
    /** Header: the number of upstream attempts. */
    static final String ATTEMPTS = "x-llmproxy-attempts";

    private RoutingHeaders() {
    }

    /** @return the routing headers of {@code call} now; empty before its first attempt */
    static Map<String, String> of(Call call) {
        List<UsageAttempt> attempts = call.attempts();
        if (attempts.isEmpty()) {
            return Map.of();
        }
        UsageAttempt last = attempts.get(attempts.size() - 1);
        Map<String, String> headers = new LinkedHashMap<>(4);
        if (last.providerId() != null) {
            headers.put(PROVIDER, last.providerId());
        }
        if (last.providerModel() != null) {
            headers.put(MODEL, last.providerModel());
        }
        headers.put(ATTEMPTS, Integer.toString(attempts.size()));
        return headers;
    }
}
