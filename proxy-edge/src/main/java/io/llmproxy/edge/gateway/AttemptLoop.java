package io.llmproxy.edge.gateway;

import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.call.UpstreamClient;
import io.llmproxy.edge.provider.ProviderTranslator;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.netty.handler.timeout.ReadTimeoutException;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The one attempt loop of chat and embeddings: calls the provider of an {@link AdmittedCall} and maps
 * what comes back, the same way for both.
 *
 * <ul>
 *   <li>a 2xx answer marks the call {@linkplain Call#accepted() accepted} (from here the provider bills
 *       it) and goes to the caller's {@code accept};</li>
 *   <li>a non-2xx answer → the translator's {@code error} → {@link GatewayError.Kind#UPSTREAM} (429 with the
 *       provider's {@code Retry-After}, 4xx rejections, 502/503/504);</li>
 *   <li>a whole 2xx body the translator cannot read, or that reports an error → UPSTREAM (502);</li>
 *   <li>connect failure → UPSTREAM_UNREACHABLE (502); no answer within the idle timeout → UPSTREAM_TIMEOUT
 *       (504); a whole answer larger than {@code max-request-bytes} → UPSTREAM 502
 *       {@code upstream_response_too_large}.</li>
 * </ul>
 * Failures arrive as {@link GatewayException}; nothing here finishes the call or writes a response.
 *
 * <p>Today a call has one attempt: the route's first target, prepared by {@link Admission}. This class
 * is where several targets, retries before the first byte, fallbacks and circuit breakers go
 * ({@link #run}): the quota reservation stays the admitted call's, once per call.
 */
@Component
public class AttemptLoop {

    private final UpstreamClient upstream;

    public AttemptLoop(UpstreamClient upstream) {
        this.upstream = upstream;
    }

    /**
     * A whole (non-stream) answer.
     *
     * @param accept the attempt that served and its translated 2xx answer (canonical bytes, usage; never an
     *               error) → the result; may throw {@link GatewayException}
     */
    public <T extends ProviderTranslator, R> Mono<R> whole(Call call, AdmittedCall<T> admitted,
                                                          BiFunction<Attempt<T>, Translated, Mono<R>> accept) {
        return run(call, admitted, upstream::exchange, body -> Mono.justOrEmpty(body), (attempt, body) -> {
            Translated translated = attempt.translator().response(body == null ? new byte[0] : body);
            if (translated.error() != null) {
                throw GatewayError.upstream(translated.error(), attempt.provider().name()).exception();
            }
            return accept.apply(attempt, translated);
        });
    }

    /**
     * A streamed answer: status and headers first, then the body as it arrives.
     *
     * @param accept the attempt that served and its 2xx body (not yet read: never buffer it whole) → the result
     */
    public <T extends ProviderTranslator, R> Mono<R> stream(Call call, AdmittedCall<T> admitted,
                                                           BiFunction<Attempt<T>, Flux<DataBuffer>, Mono<R>> accept) {
        return run(call, admitted, upstream::stream,
                body -> body == null ? Mono.empty() : DataBufferUtils.join(body).map(GatewayResponses::bytes),
                (attempt, body) -> accept.apply(attempt, body == null ? Flux.empty() : body));
    }

    /**
     * The loop over attempts. One attempt today; routing adds here the choice of targets by strategy,
     * skipping open breakers, and retries of retryable failures before the first byte.
     */
    private <T extends ProviderTranslator, B, R> Mono<R> run(Call call, AdmittedCall<T> admitted,
                                                             Function<UpstreamRequest, Mono<ResponseEntity<B>>> send,
                                                             Function<B, Mono<byte[]>> errorBody,
                                                             BiFunction<Attempt<T>, B, Mono<R>> accept) {
        return attempt(call, admitted.first(), send, errorBody, accept);
    }

    private static <T extends ProviderTranslator, B, R> Mono<R> attempt(Call call, Attempt<T> attempt,
                                                                        Function<UpstreamRequest, Mono<ResponseEntity<B>>> send,
                                                                        Function<B, Mono<byte[]>> errorBody,
                                                                        BiFunction<Attempt<T>, B, Mono<R>> accept) {
        String provider = attempt.provider().name();
        return send.apply(attempt.request())
                .flatMap(entity -> {
                    if (!entity.getStatusCode().is2xxSuccessful()) {
                        int status = entity.getStatusCode().value();
                        String retryAfter = entity.getHeaders().getFirst(HttpHeaders.RETRY_AFTER);
                        return errorBody.apply(entity.getBody()).defaultIfEmpty(new byte[0])
                                .flatMap(body -> Mono.<R>error(GatewayError.upstream(
                                        attempt.translator().error(status, body, retryAfter), provider).exception()));
                    }
                    call.accepted();
                    return accept.apply(attempt, entity.getBody());
                })
                .onErrorMap(AttemptLoop::isTransport, e -> transportError(e, provider).exception())
                .onErrorMap(DataBufferLimitException.class, e -> GatewayError.upstreamUnusable("upstream_response_too_large",
                        provider + " returned a response larger than this gateway accepts", provider).exception());
    }

    /** @return true for a failure of the connection to the provider (connect, reset, idle timeout) */
    public static boolean isTransport(Throwable e) {
        return e instanceof WebClientRequestException || isTimeout(e);
    }

    /** @return UPSTREAM_TIMEOUT (504) for a timeout, else UPSTREAM_UNREACHABLE (502) */
    public static GatewayError transportError(Throwable e, String providerName) {
        return isTimeout(e) ? GatewayError.upstreamTimeout(providerName) : GatewayError.upstreamUnreachable(providerName);
    }

    private static boolean isTimeout(Throwable e) {
        return e instanceof ReadTimeoutException || e instanceof TimeoutException || e.getCause() instanceof ReadTimeoutException;
    }
}
