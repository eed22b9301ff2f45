package io.llmproxy.edge.gateway;

import io.llmproxy.edge.call.Call;
import io.llmproxy.kernel.usage.UsageAttempt;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Adds the routing headers (issue #11) to a gateway response, success or error, once the call made at
 * least one upstream attempt: {@value #PROVIDER} (provider id of the last attempt, the one that served
 * on success), {@value #MODEL} (its provider model) and {@value #ATTEMPTS} (how many attempts were
 * made). They are set just before the response is committed, so a stream's headers carry them too.
 */
final class RoutingHeaders implements ServerResponse {

    /** Header: the provider id the call went to last. */
    static final String PROVIDER = "x-llmproxy-provider";
    /** Header: the provider model the call went to last. */
    static final String MODEL = "x-llmproxy-model";
    /** Header: the number of upstream attempts. */
    static final String ATTEMPTS = "x-llmproxy-attempts";

    private final ServerResponse delegate;
    private final Call call;

    private RoutingHeaders(ServerResponse delegate, Call call) {
        this.delegate = delegate;
        this.call = call;
    }

    /** @return {@code response} that sets the routing headers of {@code call} when written */
    static ServerResponse of(ServerResponse response, Call call) {
        return new RoutingHeaders(response, call);
    }

    @Override
    public HttpStatusCode statusCode() {
        return delegate.statusCode();
    }

    @Override
    public HttpHeaders headers() {
        return delegate.headers();
    }

    @Override
    public MultiValueMap<String, ResponseCookie> cookies() {
        return delegate.cookies();
    }

    @Override
    public Mono<Void> writeTo(ServerWebExchange exchange, Context context) {
        exchange.getResponse().beforeCommit(() -> {
            List<UsageAttempt> attempts = call.attempts();
            if (!attempts.isEmpty()) {
                UsageAttempt last = attempts.get(attempts.size() - 1);
                HttpHeaders h = exchange.getResponse().getHeaders();
                h.set(PROVIDER, last.providerId());
                h.set(MODEL, last.providerModel());
                h.set(ATTEMPTS, Integer.toString(attempts.size()));
            }
            return Mono.empty();
        });
        return delegate.writeTo(exchange, context);
    }
}
