package io.llmproxy.edge.gateway;

import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.http.RequestBodyException;
import io.llmproxy.edge.usage.UsagePublisher;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.stereotype.Component;
import io.llmproxy.edge.http.EdgeResponse;
import reactor.core.publisher.Mono;

/**
 * The front door of every chat and embeddings call: one {@link Call} (so exactly one usage event),
 * {@link Admission#authenticate} before the body is read, then the operation's flow, and every
 * failure, wherever it is raised, rendered once in the client's format:
 * {@link GatewayException} → its error; a body with a refused {@code Content-Type} or that did not
 * arrive in time → 400/415/408 ({@link RequestBodyException}); a body over {@code max-request-bytes} → 413
 * {@code request_too_large}; anything else → 500 {@code internal_error} (logged, never a bare 500 and
 * never a lost usage event). A client that goes away (while its body arrives, or before its answer)
 * finishes the call as 499 {@code CANCELLED}.
 */
@Component
public class Gateway {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Gateway.class);

    /** What a chat or embeddings operation does once the caller is authenticated and its body read. */
    @FunctionalInterface
    public interface Flow {
        /**
         * @param body the request body (empty when none)
         * @return the response; failures as {@link GatewayException} (thrown or signalled)
         */
        Mono<EdgeResponse> run(Call call, ApiKeyAuthenticator.Result caller, byte[] body);
    }

    /** The client's connection closed or reset while its request body was being read. */
    private static final class ClientLeft extends RuntimeException {
        ClientLeft(Throwable cause) {
            super(cause.toString(), cause, false, false);
        }
    }

    private final Admission admission;
    private final UsagePublisher usage;
    private final io.llmproxy.edge.telemetry.GenAiMetrics metrics;
    private final io.llmproxy.edge.telemetry.CallTracing tracing;
    private final io.llmproxy.edge.telemetry.CallLog callLog;
    private final io.llmproxy.edge.telemetry.GatewayMetrics gatewayMetrics;

    public Gateway(Admission admission, UsagePublisher usage, io.llmproxy.edge.telemetry.GenAiMetrics metrics,
                   io.llmproxy.edge.telemetry.GatewayMetrics gatewayMetrics, io.llmproxy.edge.telemetry.CallTracing tracing,
                   io.llmproxy.edge.telemetry.CallLog callLog) {
        this.callLog = callLog;
        this.admission = admission;
        this.usage = usage;
        this.metrics = metrics;
        this.gatewayMetrics = gatewayMetrics;
        this.tracing = tracing;
    }

    /**
     * @param endpoint          the usage event's {@code endpoint} ({@code chat.completions}, {@code messages},
     *                          {@code ollama.chat}, {@code embeddings}…)
     * @param format            the client API's error format
     * @param authorization     the credential as an {@code Authorization} value, or null
     * @param missingKeyMessage the client API's message for a request without a key
     * @param headers           the request's headers by name (the W3C {@code traceparent} is read from them)
     * @param body              the request body, read only after authentication
     */
    public Mono<EdgeResponse> serve(String endpoint, ErrorFormat format, String authorization, String missingKeyMessage,
                                      java.util.function.Function<String, String> headers, Mono<byte[]> body, Flow flow) {
        Call call = new Call(endpoint, usage);
        tracing.start(call, endpoint, headers);
        call.observe(event -> {
            metrics.record(event);
            gatewayMetrics.record(event, call.firstChunkNanos());
            callLog.record(call, event);
            tracing.finish(call, event);
        });
        ApiKeyAuthenticator.Result caller;
        try {
            caller = admission.authenticate(call, authorization, missingKeyMessage);
        } catch (GatewayException e) {
            return GatewayResponses.refuse(call, format, e.error());
        }
        return body.onErrorMap(io.llmproxy.edge.http.EdgeRequest::clientGone, ClientLeft::new)
                .defaultIfEmpty(new byte[0])
                .flatMap(bytes -> flow.run(call, caller, bytes))
                // the client went away while its body was arriving: nobody to answer, the call is cancelled (499)
                .onErrorResume(ClientLeft.class, e -> {
                    call.finish(499, Outcome.CANCELLED);
                    return Mono.empty();
                })
                .onErrorResume(GatewayException.class, e -> GatewayResponses.refuse(call, format, e.error()))
                // a refused Content-Type (400/415) or a body that did not arrive in time (408)
                .onErrorResume(RequestBodyException.class,
                        e -> GatewayResponses.refuse(call, format, GatewayError.requestBody(e.status(), e.code(), e.getMessage())))
                .onErrorResume(DataBufferLimitException.class,
                        e -> GatewayResponses.refuse(call, format, GatewayError.requestTooLarge()))
                // a bug must not cost the usage event nor answer in another API's format
                .onErrorResume(e -> e instanceof Exception, e -> {
                    LOG.warn("{} call failed unexpectedly: {}", endpoint, e.toString());
                    return GatewayResponses.refuse(call, format, GatewayError.internal());
                })
                .map(response -> response.atCommit(() -> RoutingHeaders.of(call)))
                .doOnCancel(() -> call.finish(499, Outcome.CANCELLED));
    }
}
