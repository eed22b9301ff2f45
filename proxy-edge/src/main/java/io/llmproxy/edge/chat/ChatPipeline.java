package io.llmproxy.edge.chat;

import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.call.ContentCapture;
import io.llmproxy.edge.call.UpstreamClient;
import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.edge.http.JsonBody;
import io.llmproxy.edge.http.RequestBodyException;
import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.ProviderRegistry;
import io.llmproxy.edge.provider.StreamFraming;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UnsupportedRequestException;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.quota.QuotaService;
import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import io.llmproxy.edge.stream.NdjsonDecoder;
import io.llmproxy.edge.stream.SseDecoder;
import io.llmproxy.edge.stream.SseEvent;
import io.llmproxy.edge.usage.UsagePublisher;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import io.netty.handler.timeout.ReadTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The chat pipeline every client format goes through: authenticate from the snapshot → the
 * codec turns the client's body into the canonical request (OpenAI chat) → route the model →
 * allow-list → provider translator → quota reservation → upstream call → the answer, event by
 * event for a stream, back through the translator (provider → canonical) and the codec (canonical
 * → client) → one usage event (endpoint = {@link ClientCodec#endpoint()}).
 *
 * <p>Errors reach the client in its format ({@link ClientCodec#error}): 400 bad body or a request
 * the provider cannot take, 401 missing/unknown/revoked/expired key, 403 suspended tenant or model
 * not allowed, 404 unknown model, 413 body too large, 429/503 quota, 429/502/503/504 from the
 * provider; a stream that fails after its first byte ends with {@link ClientCodec#streamError}.
 */
@Component
public class ChatPipeline {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ChatPipeline.class);

    private static final DefaultDataBufferFactory BUFFERS = DefaultDataBufferFactory.sharedInstance;

    private final ApiKeyAuthenticator authenticator;
    private final ProviderRegistry providers;
    private final UpstreamClient upstream;
    private final UsagePublisher usage;
    private final QuotaService quotas;
    private final long defaultMaxTokens;

    public ChatPipeline(ApiKeyAuthenticator authenticator, ProviderRegistry providers, UpstreamClient upstream,
                        UsagePublisher usage, QuotaService quotas, EdgeProperties properties) {
        this.authenticator = authenticator;
        this.providers = providers;
        this.upstream = upstream;
        this.usage = usage;
        this.quotas = quotas;
        this.defaultMaxTokens = properties.defaultMaxTokens();
    }

    /**
     * @param request the client's HTTP request
     * @param codec   a fresh codec of the client's format (one per request)
     */
    public Mono<ServerResponse> handle(ServerRequest request, ClientCodec codec) {
        Call call = new Call(codec.endpoint(), usage);
        HttpHeaders headers = request.headers().asHttpHeaders();
        ApiKeyAuthenticator.Result auth = authenticator.authenticate(codec.authorization(headers::getFirst));
        call.key(auth.key());
        if (auth.status() != ApiKeyAuthenticator.Status.OK) {
            return ClientResponses.unauthorized(call, codec, auth.status());
        }
        return JsonBody.read(request)
                .flatMap(body -> route(call, codec, auth, body))
                // a refused Content-Type (400/415) or a body that did not arrive in time (408)
                .onErrorResume(RequestBodyException.class, e -> ClientResponses.refuse(call, codec,
                        new ClientError(e.status(), "invalid_request_error", e.code(), e.getMessage(), null)))
                .onErrorResume(DataBufferLimitException.class, e -> ClientResponses.refuse(call, codec, new ClientError(413,
                        "invalid_request_error", "request_too_large", "Request body is larger than this gateway accepts.", null)))
                // a bug must not cost the usage event nor answer in another API's format
                .onErrorResume(RuntimeException.class, e -> {
                    LOG.warn("{} call failed unexpectedly: {}", codec.endpoint(), e.toString());
                    return ClientResponses.refuse(call, codec, new ClientError(500,
                            "server_error", "internal_error", "The gateway failed to handle this request.", null));
                })
                .doOnCancel(() -> call.finish(499, Outcome.CANCELLED));
    }

    private Mono<ServerResponse> route(Call call, ClientCodec codec, ApiKeyAuthenticator.Result auth, byte[] bytes) {
        CanonicalRequest canonical;
        try {
            canonical = codec.canonical(bytes);
        } catch (ClientRequestException e) {
            return ClientResponses.refuse(call, codec, ClientError.badRequest(e.getMessage(), e.param()));
        }
        String model = canonical.model();
        if (model.length() > 256 || model.chars().anyMatch(Character::isISOControl)) {
            return ClientResponses.refuse(call, codec, ClientError.badRequest(
                    "'model' must be at most 256 characters without control characters", "model"));
        }
        boolean stream = canonical.stream();
        call.request(model, stream);

        EdgeSnapshot snapshot = auth.snapshot();
        // content capture (issue #5): only for tenants that opted in, so that the others pay nothing
        boolean capture = snapshot.storesPromptContent(auth.key().tenantId());
        if (capture) {
            call.promptText(ContentCapture.prompt(canonical.body()));
        }
        RouteEntry route = snapshot.route(auth.key().tenantId(), model);
        if (route == null || route.targets().isEmpty()) {
            return ClientResponses.refuse(call, codec, new ClientError(404, "invalid_request_error", "model_not_found",
                    "The model `" + model + "` does not exist or you do not have access to it.", "model"));
        }
        if (!auth.key().allows(model)) {
            call.refused("model_not_allowed");
            return ClientResponses.refuse(call, codec, new ClientError(403, "permission_error", "model_not_allowed",
                    "This API key is not allowed to use the model `" + model + "`.", "model"));
        }
        Target target = route.targets().get(0);
        ProviderEntry provider = snapshot.providersById().get(target.providerId());
        if (provider == null || provider.apiKey() == null) {
            return ClientResponses.refuse(call, codec, new ClientError(502, "server_error", "provider_unavailable",
                    "The provider for model `" + model + "` is not available on this gateway.", null));
        }
        ChatTranslator translator = providers.adapter(provider.type()).chatTranslator(stream, canonical.clientWantsUsage());
        call.upstream(provider.providerId(), target.model(), translator);
        UpstreamRequest upstreamRequest;
        try {
            upstreamRequest = translator.request(canonical.body(), provider, target.model());
        } catch (UnsupportedRequestException e) {
            // refused before any upstream call: no tokens to bill
            return ClientResponses.refuse(call, codec, ClientError.badRequest(e.getMessage(), e.param()));
        }
        long promptEstimate = TokenEstimate.prompt(canonical.body());
        call.promptEstimate(promptEstimate);
        return quotas.reserve(auth.key(), snapshot, TokenEstimate.reserve(canonical.body(), promptEstimate, defaultMaxTokens),
                        promptEstimate, provider.providerId(), target.model())
                .flatMap(decision -> {
                    if (!decision.allowed()) {
                        return ClientResponses.quotaRefused(call, codec, decision);
                    }
                    call.onFinish(total -> decision.reservation().settle(total, call.billedUsage()));
                    return stream ? streamed(call, codec, translator, upstreamRequest, provider, decision.headers(), capture)
                            : whole(call, codec, translator, upstreamRequest, provider, decision.headers(), capture);
                });
    }

    private Mono<ServerResponse> whole(Call call, ClientCodec codec, ChatTranslator translator, UpstreamRequest request,
                                       ProviderEntry provider, Map<String, String> rateLimitHeaders, boolean capture) {
        return upstream.exchange(request)
                .flatMap(entity -> {
                    byte[] body = entity.getBody() == null ? new byte[0] : entity.getBody();
                    if (entity.getStatusCode().is2xxSuccessful()) {
                        call.accepted();
                    } else {
                        return ClientResponses.failure(call, codec, translator.error(entity.getStatusCode().value(), body,
                                entity.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)));
                    }
                    Translated translated = translator.response(body);
                    if (translated.error() != null) {
                        return ClientResponses.failure(call, codec, translated.error());
                    }
                    byte[] out;
                    try {
                        out = codec.response(translated.bytes());
                    } catch (RuntimeException e) {
                        return ClientResponses.failure(call, codec, new UpstreamFailure(502, "server_error", "upstream_error",
                                provider.name() + " returned a response this gateway could not translate", null));
                    }
                    if (capture) {
                        String completion = ContentCapture.completion(translated.bytes());
                        call.completionText(() -> completion);
                    }
                    call.finish(200, Outcome.SUCCESS);
                    return ServerResponse.ok().contentType(ClientResponses.mediaType(codec.contentType()))
                            .headers(h -> rateLimitHeaders.forEach(h::set)).bodyValue(out);
                })
                .onErrorResume(ChatPipeline::isTransport, e -> ClientResponses.failure(call, codec, transportFailure(e, provider)));
    }

    private Mono<ServerResponse> streamed(Call call, ClientCodec codec, ChatTranslator translator, UpstreamRequest request,
                                          ProviderEntry provider, Map<String, String> rateLimitHeaders, boolean capture) {
        return upstream.stream(request)
                .flatMap(entity -> {
                    Flux<DataBuffer> upstreamBody = entity.getBody() == null ? Flux.empty() : entity.getBody();
                    if (entity.getStatusCode().is2xxSuccessful()) {
                        call.accepted();
                    } else {
                        return DataBufferUtils.join(upstreamBody).map(ClientResponses::bytes).defaultIfEmpty(new byte[0])
                                .flatMap(body -> ClientResponses.failure(call, codec, translator.error(
                                        entity.getStatusCode().value(), body, entity.getHeaders().getFirst(HttpHeaders.RETRY_AFTER))));
                    }
                    Flux<DataBuffer> out = translateStream(call, codec, translator, upstreamBody, provider, capture)
                            .map(BUFFERS::wrap);
                    return ServerResponse.ok().contentType(ClientResponses.mediaType(codec.streamContentType()))
                            .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                            .headers(h -> rateLimitHeaders.forEach(h::set))
                            .body((message, context) -> message.writeAndFlushWith(out.map(Mono::just)));
                })
                .onErrorResume(ChatPipeline::isTransport, e -> ClientResponses.failure(call, codec, transportFailure(e, provider)));
    }

    /**
     * Upstream stream bytes → client stream bytes, one upstream event at a time (provider →
     * canonical by the translator, canonical → client by the codec). An upstream that stops early
     * or reports an error gets the codec's error ending instead, and the usage event says so.
     */
    private Flux<byte[]> translateStream(Call call, ClientCodec codec, ChatTranslator translator,
                                         Flux<DataBuffer> upstreamBody, ProviderEntry provider, boolean capture) {
        Function<byte[], List<SseEvent>> decoder = decoder(translator.framing());
        // the canonical chunks' content deltas, parsed only for a tenant that opted in to content capture
        ContentCapture.StreamText completion = capture ? new ContentCapture.StreamText() : null;
        if (completion != null) {
            call.completionText(completion::text);
        }
        boolean[] done = {false};
        Flux<byte[]> events = upstreamBody.concatMapIterable(buffer -> {
            byte[] chunk = ClientResponses.bytes(buffer);
            List<byte[]> out = new ArrayList<>(2);
            for (SseEvent event : decoder.apply(chunk)) {
                if (done[0]) {
                    break;
                }
                Translated translated = translator.streamEvent(event);
                if (translated.error() != null) {
                    throw new StreamFailure(translated.error());
                }
                if (completion != null) {
                    completion.feed(translated.bytes());
                }
                byte[] bytes = codec.streamChunk(translated);
                if (bytes.length > 0) {
                    out.add(bytes);
                }
                done[0] |= translated.done();
            }
            return out;
        });
        return events
                .concatWith(Flux.defer(() -> done[0] ? Flux.empty() : Flux.error(new StreamFailure(new UpstreamFailure(502,
                        "server_error", "upstream_stream_ended", provider.name() + " ended the stream before it was complete",
                        null)))))
                .onErrorResume(e -> {
                    UpstreamFailure failure = e instanceof StreamFailure sf ? sf.failure
                            : isTransport(e) ? transportFailure(e, provider)
                            : new UpstreamFailure(502, "server_error", "upstream_error", provider.name() + " stream failed", null);
                    call.finish(failure.status(), Outcome.UPSTREAM_ERROR);
                    return Mono.just(codec.streamError(ClientError.of(failure)));
                })
                .doOnComplete(() -> call.finish(200, Outcome.SUCCESS))
                .doOnCancel(() -> call.finish(499, Outcome.CANCELLED));
    }

    /** @return a stateful decoder of one upstream body: bytes in, whole events out */
    private static Function<byte[], List<SseEvent>> decoder(StreamFraming framing) {
        if (framing == StreamFraming.NDJSON) {
            NdjsonDecoder lines = new NdjsonDecoder();
            return chunk -> {
                List<String> decoded = lines.feed(chunk);
                List<SseEvent> events = new ArrayList<>(decoded.size());
                for (String line : decoded) {
                    events.add(SseEvent.ofData(line));
                }
                return events;
            };
        }
        SseDecoder sse = new SseDecoder();
        return sse::feed;
    }

    private static boolean isTransport(Throwable e) {
        return e instanceof WebClientRequestException || e instanceof ReadTimeoutException
                || e instanceof TimeoutException || e.getCause() instanceof ReadTimeoutException;
    }

    private static UpstreamFailure transportFailure(Throwable e, ProviderEntry provider) {
        if (e instanceof ReadTimeoutException || e instanceof TimeoutException || e.getCause() instanceof ReadTimeoutException) {
            return new UpstreamFailure(504, "server_error", "upstream_timeout", provider.name() + " did not answer in time", null);
        }
        return new UpstreamFailure(502, "server_error", "upstream_unreachable", provider.name() + " could not be reached", null);
    }

    /** A failure inside a stream, carried to the point where it becomes an error event. */
    private static final class StreamFailure extends RuntimeException {
        private final transient UpstreamFailure failure;

        StreamFailure(UpstreamFailure failure) {
            super(failure.message(), null, false, false);
            this.failure = failure;
        }
    }
}
