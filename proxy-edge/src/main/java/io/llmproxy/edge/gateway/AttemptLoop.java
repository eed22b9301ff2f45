package io.llmproxy.edge.gateway;

import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.call.UpstreamClient;
import io.llmproxy.edge.routing.RoutePlanner;
import io.llmproxy.edge.routing.TargetHealth;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import io.llmproxy.kernel.route.RoutePolicy;
import io.llmproxy.kernel.usage.UsageAttempt;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import io.llmproxy.edge.provider.ProviderTranslator;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.netty.handler.timeout.ReadTimeoutException;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
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
 * <p>Several targets, retries before the first byte, fallbacks and circuit breakers live in {@link #run}
 * (issue #11, ADR 0016); the quota reservation stays the admitted call's, once per call.
 */
@Component
public class AttemptLoop {

    private final UpstreamClient upstream;
    private final TargetHealth health;

    private final io.llmproxy.edge.telemetry.CallTracing tracing;

    public AttemptLoop(UpstreamClient upstream, TargetHealth health, io.llmproxy.edge.telemetry.CallTracing tracing) {
        this.tracing = tracing;
        this.upstream = upstream;
        this.health = health;
    }

    /**
     * A whole (non-stream) answer.
     *
     * @param accept the attempt that served and its translated 2xx answer (canonical bytes, usage; never an
     *               error) → the result; may throw {@link GatewayException}
     */
    public <T extends ProviderTranslator, R> Mono<R> whole(Call call, AdmittedCall<T> admitted,
                                                          BiFunction<Attempt<T>, Translated, Mono<R>> accept) {
        return run(call, admitted, request -> upstream.exchange(request, call.eventLoop()), body -> Mono.justOrEmpty(body), (attempt, body) -> {
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
     * @param accept the attempt that served and its 2xx body, as the provider's bytes arrive (not yet read:
     *               subscribe to it once, never buffer it whole) → the result
     */
    public <T extends ProviderTranslator, R> Mono<R> stream(Call call, AdmittedCall<T> admitted,
                                                           BiFunction<Attempt<T>, Flux<byte[]>, Mono<R>> accept) {
        return run(call, admitted, request -> upstream.stream(request, call.eventLoop()),
                body -> body == null ? Mono.empty() : body.collect(java.io.ByteArrayOutputStream::new,
                        java.io.ByteArrayOutputStream::writeBytes).map(java.io.ByteArrayOutputStream::toByteArray),
                (attempt, body) -> accept.apply(attempt, body == null ? Flux.empty() : body));
    }

    /**
     * The loop over attempts (issue #11): the admitted call's plan, in order. A candidate whose breaker
     * is open or that cools down after a {@code Retry-After} is skipped without a network call. A
     * retryable failure ({@link #retryable}) before the provider accepted the call moves to the next
     * candidate, after the route's backoff, until {@code retry.attempts} attempts were made; anything
     * else, or any failure once a 2xx arrived, ends the call with that failure. Every attempt is
     * recorded on the call for its usage event; the quota reservation stays the call's, made once.
     */
    private <T extends ProviderTranslator, B, R> Mono<R> run(Call call, AdmittedCall<T> admitted,
                                                             Function<UpstreamRequest, Mono<ResponseEntity<B>>> send,
                                                             Function<B, Mono<byte[]>> errorBody,
                                                             BiFunction<Attempt<T>, B, Mono<R>> accept) {
        return next(call, admitted, admitted.firstIndex(), 0, null, send, errorBody, accept);
    }

    private <T extends ProviderTranslator, B, R> Mono<R> next(Call call, AdmittedCall<T> admitted, int index, int made,
                                                              GatewayException last,
                                                              Function<UpstreamRequest, Mono<ResponseEntity<B>>> send,
                                                              Function<B, Mono<byte[]>> errorBody,
                                                              BiFunction<Attempt<T>, B, Mono<R>> accept) {
        List<RoutePlanner.Candidate> plan = admitted.plan();
        if (index >= plan.size() || made >= RoutePlanner.maxAttempts(admitted.route())) {
            return Mono.error(exhausted(admitted.model(), made, last).exception());
        }
        RoutePlanner.Candidate candidate = plan.get(index);
        Target target = candidate.target();
        if (!health.tryAcquire(target)) {
            return next(call, admitted, index + 1, made, last, send, errorBody, accept);
        }
        Attempt<T> attempt;
        try {
            // the attempt admission prepared serves the first try only; any other is prepared afresh
            // (a retry of the same target takes the provider's next credential)
            attempt = made == 0 && index == admitted.firstIndex() ? admitted.first() : admitted.prepare().apply(candidate);
        } catch (GatewayException e) {
            health.release(target);
            if (e.error().kind() == GatewayError.Kind.PROVIDER_UNAVAILABLE) {
                return next(call, admitted, index + 1, made, last == null ? e : last, send, errorBody, accept);
            }
            return Mono.error(e);
        }
        call.upstream(attempt.provider().providerId(), attempt.target().model(), attempt.translator());
        call.whenFinished(health.begin(target));
        io.llmproxy.edge.telemetry.CallTracing.AttemptSpan traced =
                tracing.attempt(call, attempt.provider().type(), attempt.target().model(), attempt.request().url());
        call.whenFinished(traced::callFinished);
        long start = System.nanoTime();
        // until the attempt is recorded as served or failed: what the usage event lists if the client leaves
        call.attemptInFlight(() -> record(attempt, 0, "cancelled", System.nanoTime() - start, false));
        RoutePolicy.Timeouts timeouts = admitted.route().policy().timeoutsOrDefault();
        Function<UpstreamRequest, Mono<ResponseEntity<B>>> timed = request -> {
            Mono<ResponseEntity<B>> sent = send.apply(request.withIdleTimeout(timeouts.idleMs()).withHeaders(traced.headers()));
            if (timeouts.ttfbMs() != null) {
                sent = sent.timeout(Duration.ofMillis(timeouts.ttfbMs()));
            }
            return sent;
        };
        // the 2xx status arrived: this attempt serves (recorded before the answer is built, so the usage
        // event, published when the call finishes, lists it)
        Runnable served = () -> {
            long elapsed = System.nanoTime() - start;
            health.succeeded(target, elapsed);
            call.attempt(record(attempt, 200, null, elapsed, true));
            traced.served(200);
        };
        Mono<R> tried = attempt(call, attempt, timed, errorBody, (a, body) -> {
            served.run();
            return accept.apply(a, body);
        });
        if (!call.isStream() && timeouts.totalMs() != null) {
            tried = tried.timeout(Duration.ofMillis(timeouts.totalMs()));
        }
        return tried
                .onErrorMap(AttemptLoop::isTransport, e -> transportError(e, attempt.provider().name()).exception())
                .onErrorResume(GatewayException.class, e -> {
                    if (call.isAccepted()) {
                        // after the provider's 2xx (already recorded as serving): never retried elsewhere
                        return Mono.error(e);
                    }
                    long elapsed = System.nanoTime() - start;
                    int status = e.upstreamStatus();
                    boolean retry = retryable(e);
                    int credentials = attempt.provider().credentialCount();
                    // a 429 or a refused credential of a provider with several: cool that credential down
                    // and try the same target again with the next one
                    boolean credentialFault = credentials > 1 && (status == 429 || status == 401 || status == 403);
                    if (credentialFault) {
                        long seconds = status == 429 ? Math.max(1, retryAfterSeconds(e)) : CREDENTIAL_REFUSED_COOLDOWN_SECONDS;
                        health.credentialFailed(attempt.provider().providerId(), credentials, attempt.credential(), seconds);
                        health.release(target);
                    } else if (retry || providerFault(e)) {
                        health.failed(target, elapsed, e, retryAfterSeconds(e));
                    } else {
                        health.succeeded(target, elapsed);
                    }
                    call.attempt(record(attempt, status, errorCode(e, status), elapsed, false));
                    traced.end(status, errorCode(e, status));
                    if (!retry) {
                        return Mono.error(e);
                    }
                    int nextIndex = credentialFault ? index : index + 1;
                    Mono<R> again = Mono.defer(() -> next(call, admitted, nextIndex, made + 1, e, send, errorBody, accept));
                    int backoff = admitted.route().policy().retryOrDefault().backoffMsOrDefault();
                    return backoff <= 0 ? again : Mono.delay(jittered(backoff, made)).then(again);
                });
    }

    /** How long a credential the provider refused (401/403) rests before it is tried again, seconds. */
    static final long CREDENTIAL_REFUSED_COOLDOWN_SECONDS = 60;

    /**
     * @return true for a failure another target may not have: no connection, a timeout, 408, 429, 5xx
     *         (500, 502, 503, 504, 529) and the provider's 401/403 (its credential is bad, another may
     *         work); a provider unknown to this edge. Not the provider's 400/404/413/422 (the request
     *         itself is at fault).
     */
    static boolean retryable(GatewayException e) {
        GatewayError.Kind kind = e.error().kind();
        if (kind == GatewayError.Kind.UPSTREAM_TIMEOUT || kind == GatewayError.Kind.UPSTREAM_UNREACHABLE
                || kind == GatewayError.Kind.PROVIDER_UNAVAILABLE) {
            return true;
        }
        int status = e.upstreamStatus();
        return kind == GatewayError.Kind.UPSTREAM && (status == 408 || status == 429 || status == 401 || status == 403
                || status == 500 || status == 502 || status == 503 || status == 504 || status == 529);
    }

    /** @return true when the failure counts against the target even though it is not retried */
    private static boolean providerFault(GatewayException e) {
        return e.error().status() >= 500;
    }

    private static long retryAfterSeconds(GatewayException e) {
        String value = e.error().retryAfter();
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException notSeconds) {
            return 0;
        }
    }

    private static String errorCode(GatewayException e, int status) {
        return switch (e.error().kind()) {
            case UPSTREAM_TIMEOUT -> "timeout";
            case UPSTREAM_UNREACHABLE -> "unreachable";
            case PROVIDER_UNAVAILABLE -> "provider_unavailable";
            default -> status > 0 ? "http_" + status : e.error().code();
        };
    }

    private static UsageAttempt record(Attempt<?> attempt, int status, String error, long nanos, boolean served) {
        return new UsageAttempt(attempt.provider().providerId(), attempt.target().model(), status, error,
                TimeUnit.NANOSECONDS.toMillis(nanos), served);
    }

    /** @return {@code base · 2^n} ms, ±50 % */
    private static Duration jittered(int baseMs, int n) {
        double factor = 0.5 + ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis((long) (baseMs * Math.pow(2, Math.min(n, 6)) * factor));
    }

    /**
     * @return the error of a call whose candidates all failed or were skipped: the one failure as it was
     *         when a single attempt was made (a single-target route answers as before routing); 429 when
     *         the last provider said so (clearer for the client's back-off); else 503
     *         {@code upstream_unavailable} naming the public model and the attempts
     */
    static GatewayError exhausted(String model, int made, GatewayException last) {
        if (last != null && (made <= 1 || last.error().status() == 429)) {
            return last.error();
        }
        String message = made == 0
                ? "No target of model `" + model + "` is available now (circuit open or cooling down after Retry-After)."
                : "All " + made + " attempts for model `" + model + "` failed; last: " + last.error().message();
        return new GatewayError(GatewayError.Kind.UPSTREAM, 503, "server_error", "upstream_unavailable", message, null,
                made == 0 ? "1" : last.error().retryAfter(), last == null ? null : last.error().provider(), null, Map.of());
    }

    /** One attempt: send, map a non-2xx answer or a transport failure to a {@link GatewayException}. */
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
                                        attempt.translator().error(status, body, retryAfter), provider).exception()
                                        .withUpstreamStatus(status)));
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
        return e instanceof io.llmproxy.edge.call.UpstreamTransportException || isTimeout(e);
    }

    /** @return UPSTREAM_TIMEOUT (504) for a timeout, else UPSTREAM_UNREACHABLE (502) */
    public static GatewayError transportError(Throwable e, String providerName) {
        return isTimeout(e) ? GatewayError.upstreamTimeout(providerName) : GatewayError.upstreamUnreachable(providerName);
    }

    private static boolean isTimeout(Throwable e) {
        return e instanceof ReadTimeoutException || e instanceof TimeoutException || e.getCause() instanceof ReadTimeoutException;
    }
}
