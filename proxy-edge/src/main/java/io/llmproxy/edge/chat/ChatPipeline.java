package io.llmproxy.edge.chat;

import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.call.ContentCapture;
import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.edge.gateway.Admission;
import io.llmproxy.edge.gateway.AdmittedCall;
import io.llmproxy.edge.gateway.Attempt;
import io.llmproxy.edge.gateway.AttemptLoop;
import io.llmproxy.edge.gateway.Gateway;
import io.llmproxy.edge.gateway.GatewayError;
import io.llmproxy.edge.http.EdgeRequest;
import io.llmproxy.edge.http.EdgeResponse;
import io.llmproxy.edge.http.JsonBody;
import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.ProviderRegistry;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The chat operation every client format goes through, on the edge's one pipeline
 * ({@link Gateway} → {@link Admission} → {@link AttemptLoop}): authenticate → the codec turns the
 * client's body into the canonical request (OpenAI chat) → model check → route → allow-list →
 * provider translator → quota reservation → upstream call → the answer, event by event for a stream
 * ({@link StreamRelay}), back through the translator (provider → canonical) and the codec (canonical
 * → client) → one usage event (endpoint = {@link ClientCodec#endpoint()}). A client format that keeps
 * state between calls (the Responses API's {@code previous_response_id}) passes a {@link ChatHook}: it
 * completes the canonical request after the codec and before the model check, and sees the client's
 * answer before it is sent (ADR 0018).
 *
 * <p>Errors are {@link GatewayError}s the client gets in its format ({@link ClientCodec#error}): 400
 * bad body or a request the provider cannot take, 401 missing/unknown/revoked/expired key, 403
 * suspended tenant or model not allowed, 404 unknown model, 413 body too large, 429/503 quota,
 * 429/502/503/504 from the provider; a stream that fails after its first byte ends with
 * {@link ClientCodec#streamError}.
 */
@Component
public class ChatPipeline {

    private final Gateway gateway;
    private final Admission admission;
    private final AttemptLoop attempts;
    private final ProviderRegistry providers;
    private final long defaultMaxTokens;

    public ChatPipeline(Gateway gateway, Admission admission, AttemptLoop attempts, ProviderRegistry providers,
                        EdgeProperties properties) {
        this.gateway = gateway;
        this.admission = admission;
        this.attempts = attempts;
        this.providers = providers;
        this.defaultMaxTokens = properties.defaultMaxTokens();
    }

    /**
     * @param request the client's HTTP request
     * @param codec   a fresh codec of the client's format (one per request)
     */
    public Mono<EdgeResponse> handle(EdgeRequest request, ClientCodec codec) {
        return handle(request, codec, ChatHook.NONE);
    }

    /**
     * @param request the client's HTTP request
     * @param codec   a fresh codec of the client's format (one per request)
     * @param hook    what the client format adds around the call (state kept between calls)
     */
    public Mono<EdgeResponse> handle(EdgeRequest request, ClientCodec codec, ChatHook hook) {
        return gateway.serve(codec.endpoint(), codec, codec.authorization(request::header), codec.missingKeyMessage(),
                request::header, JsonBody.read(request), (call, caller, body) -> {
                    CanonicalRequest canonical;
                    try {
                        canonical = codec.canonical(body);
                    } catch (ClientRequestException e) {
                        throw GatewayError.badRequest(e.getMessage(), e.param()).exception();
                    }
                    String tenant = caller.key().tenantId();
                    if (hook == ChatHook.NONE) {
                        return chat(call, codec, hook, caller, canonical);
                    }
                    return hook.prepared(tenant, canonical).flatMap(prepared -> chat(call, codec, hook, caller, prepared));
                });
    }

    private Mono<EdgeResponse> chat(Call call, ClientCodec codec, ChatHook hook, ApiKeyAuthenticator.Result caller,
                                      CanonicalRequest canonical) {
        String model = Admission.checkModel(canonical.model());
        boolean stream = canonical.stream();
        call.request(model, stream);
        io.llmproxy.edge.telemetry.CallTracing.request(call, canonical.body());
        // content capture (issue #5): only for tenants that opted in, so that the others pay nothing
        boolean capture = caller.snapshot().storesPromptContent(caller.key().tenantId());
        if (capture) {
            call.promptText(ContentCapture.prompt(canonical.body()));
        }
        long promptEstimate = TokenEstimate.prompt(canonical.body());
        return admission.admit(call, caller, model, canonical.body(),
                        provider -> providers.adapter(provider.type()).chatTranslator(stream, canonical.clientWantsUsage()),
                        TokenEstimate.reserve(canonical.body(), promptEstimate, defaultMaxTokens), promptEstimate)
                .flatMap(admitted -> stream ? streamed(call, codec, hook, caller, admitted, capture)
                        : whole(call, codec, hook, caller, admitted, capture));
    }

    private Mono<EdgeResponse> whole(Call call, ClientCodec codec, ChatHook hook, ApiKeyAuthenticator.Result caller,
                                       AdmittedCall<ChatTranslator> admitted, boolean capture) {
        return attempts.whole(call, admitted, (attempt, translated) -> {
            byte[] out;
            try {
                out = codec.response(translated.bytes());
            } catch (RuntimeException e) {
                String provider = attempt.provider().name();
                throw GatewayError.upstreamUnusable("upstream_error",
                        provider + " returned a response this gateway could not translate", provider).exception();
            }
            io.llmproxy.edge.telemetry.CallTracing.response(call, translated.bytes());
            if (capture) {
                String completion = ContentCapture.completion(translated.bytes());
                call.completionText(() -> completion);
            }
            call.finish(200, Outcome.SUCCESS);
            return hook.answered(caller.key().tenantId(), out)
                    .map(body -> EdgeResponse.whole(200, codec.contentType(), body).headers(admitted.rateLimitHeaders()));
        }).delayUntil(response -> call.synced()); // leaves once its usage event is durable (ADR 0006), outside the route's total timeout
    }

    private Mono<EdgeResponse> streamed(Call call, ClientCodec codec, ChatHook hook, ApiKeyAuthenticator.Result caller,
                                          AdmittedCall<ChatTranslator> admitted, boolean capture) {
        return attempts.stream(call, admitted, (Attempt<ChatTranslator> attempt, Flux<byte[]> body) -> {
            Flux<byte[]> out = hook.streaming(caller.key().tenantId(),
                    StreamRelay.relay(call, codec, attempt.translator(), body, attempt.provider().name(), capture));
            return Mono.just(EdgeResponse.stream(200, codec.streamContentType(), out)
                    .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                    .headers(admitted.rateLimitHeaders()));
        });
    }
}
