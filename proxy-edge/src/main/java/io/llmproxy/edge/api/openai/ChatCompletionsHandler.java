package io.llmproxy.edge.api.openai;

import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.call.UpstreamClient;
import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.ProviderRegistry;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.edge.quota.QuotaService;
import io.llmproxy.edge.provider.StreamFraming;
import io.llmproxy.edge.provider.UnsupportedRequestException;
import io.llmproxy.edge.stream.NdjsonDecoder;
import io.llmproxy.edge.stream.SseDecoder;
import io.llmproxy.edge.stream.SseEncoder;
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
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/chat/completions} in OpenAI's format
 * (https://platform.openai.com/docs/api-reference/chat/create): authenticate from the snapshot,
 * route the model, translate, call the provider, stream the answer event by event, publish one
 * usage event. Errors are OpenAI error JSON: 400 bad body, 401 missing/unknown/revoked key, 404
 * unknown model, 413 body too large, 429/502/503/504 from the provider.
 */
@Component
class ChatCompletionsHandler {

    static final String ENDPOINT = "chat.completions";
    private static final DefaultDataBufferFactory BUFFERS = DefaultDataBufferFactory.sharedInstance;

    private final ApiKeyAuthenticator authenticator;
    private final ProviderRegistry providers;
    private final UpstreamClient upstream;
    private final UsagePublisher usage;
    private final JsonMapper json;
    private final QuotaService quotas;
    private final long defaultMaxTokens;

    ChatCompletionsHandler(ApiKeyAuthenticator authenticator, ProviderRegistry providers, UpstreamClient upstream,
                           UsagePublisher usage, JsonMapper json, QuotaService quotas, EdgeProperties properties) {
        this.authenticator = authenticator;
        this.providers = providers;
        this.upstream = upstream;
        this.usage = usage;
        this.json = json;
        this.quotas = quotas;
        this.defaultMaxTokens = properties.defaultMaxTokens();
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        Call call = new Call(ENDPOINT, usage);
        ApiKeyAuthenticator.Result auth = authenticator.authenticate(request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
        call.key(auth.key());
        if (auth.status() != ApiKeyAuthenticator.Status.OK) {
            return OpenAiResponses.unauthorized(call, auth.status());
        }
        return request.bodyToMono(byte[].class)
                .defaultIfEmpty(new byte[0])
                .flatMap(body -> route(call, auth, body))
                .onErrorResume(DataBufferLimitException.class, e -> OpenAiResponses.refuse(call, 413,
                        "Request body is larger than this gateway accepts.", "invalid_request_error", null, "request_too_large"))
                .doOnCancel(() -> call.finish(499, Outcome.CANCELLED));
    }

    private Mono<ServerResponse> route(Call call, ApiKeyAuthenticator.Result auth, byte[] bytes) {
        ObjectNode body;
        try {
            JsonNode node = json.readTree(bytes);
            if (!(node instanceof ObjectNode object)) {
                return OpenAiResponses.badRequest(call, "The request body must be a JSON object.", null);
            }
            body = object;
        } catch (JacksonException e) {
            return OpenAiResponses.badRequest(call, "We could not parse the JSON body of your request.", null);
        }
        JsonNode modelNode = body.get("model");
        if (modelNode == null || !modelNode.isString() || modelNode.asString().isBlank()) {
            return OpenAiResponses.badRequest(call, "you must provide a model parameter", "model");
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            return OpenAiResponses.badRequest(call, "'messages' must be a non-empty array", "messages");
        }
        JsonNode streamNode = body.get("stream");
        if (streamNode != null && !streamNode.isBoolean() && !streamNode.isNull()) {
            return OpenAiResponses.badRequest(call, "'stream' must be a boolean", "stream");
        }
        String model = modelNode.asString();
        if (model.length() > 256 || model.chars().anyMatch(Character::isISOControl)) {
            return OpenAiResponses.badRequest(call, "'model' must be at most 256 characters without control characters", "model");
        }
        boolean stream = streamNode != null && streamNode.asBoolean(false);
        boolean clientWantsUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        call.request(model, stream);

        EdgeSnapshot snapshot = auth.snapshot();
        RouteEntry route = snapshot.route(auth.key().tenantId(), model);
        if (route == null || route.targets().isEmpty()) {
            return OpenAiResponses.refuse(call, 404, "The model `" + model + "` does not exist or you do not have access to it.",
                    "invalid_request_error", "model", "model_not_found");
        }
        if (!auth.key().allows(model)) {
            call.refused("model_not_allowed");
            return OpenAiResponses.refuse(call, 403, "This API key is not allowed to use the model `" + model + "`.",
                    "permission_error", "model", "model_not_allowed");
        }
        Target target = route.targets().get(0);
        ProviderEntry provider = snapshot.providersById().get(target.providerId());
        if (provider == null || provider.apiKey() == null) {
            return OpenAiResponses.refuse(call, 502, "The provider for model `" + model + "` is not available on this gateway.",
                    "server_error", null, "provider_unavailable");
        }
        ChatTranslator translator = providers.adapter(provider.type()).chatTranslator(stream, clientWantsUsage);
        call.upstream(provider.providerId(), target.model(), translator);
        long promptEstimate = TokenEstimate.prompt(body);
        call.promptEstimate(promptEstimate);
        UpstreamRequest upstreamRequest;
        try {
            upstreamRequest = translator.request(body, provider, target.model());
        } catch (UnsupportedRequestException e) {
            return OpenAiResponses.badRequest(call, e.getMessage(), e.param());
        }
        return quotas.reserve(auth.key(), snapshot, TokenEstimate.reserve(body, promptEstimate, defaultMaxTokens),
                        promptEstimate, provider.providerId(), target.model())
                .flatMap(decision -> {
                    if (!decision.allowed()) {
                        return OpenAiResponses.quotaRefused(call, decision);
                    }
                    call.onFinish(total -> decision.reservation().settle(total, call.billedUsage()));
                    return stream ? streamed(call, translator, upstreamRequest, provider, decision.headers())
                            : whole(call, translator, upstreamRequest, provider, decision.headers());
                });
    }

    private Mono<ServerResponse> whole(Call call, ChatTranslator translator, UpstreamRequest request, ProviderEntry provider,
                                       Map<String, String> rateLimitHeaders) {
        return upstream.exchange(request)
                .flatMap(entity -> {
                    byte[] body = entity.getBody() == null ? new byte[0] : entity.getBody();
                    if (!entity.getStatusCode().is2xxSuccessful()) {
                        return OpenAiResponses.failure(call, translator.error(entity.getStatusCode().value(), body,
                                entity.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)));
                    }
                    Translated translated = translator.response(body);
                    if (translated.error() != null) {
                        return OpenAiResponses.failure(call, translated.error());
                    }
                    call.finish(200, Outcome.SUCCESS);
                    return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                            .headers(h -> rateLimitHeaders.forEach(h::set)).bodyValue(translated.bytes());
                })
                .onErrorResume(e -> isTransport(e), e -> OpenAiResponses.failure(call, transportFailure(e, provider)));
    }

    private Mono<ServerResponse> streamed(Call call, ChatTranslator translator, UpstreamRequest request,
                                         ProviderEntry provider, Map<String, String> rateLimitHeaders) {
        return upstream.stream(request)
                .flatMap(entity -> {
                    Flux<DataBuffer> upstreamBody = entity.getBody() == null ? Flux.empty() : entity.getBody();
                    if (!entity.getStatusCode().is2xxSuccessful()) {
                        return DataBufferUtils.join(upstreamBody).map(OpenAiResponses::bytes).defaultIfEmpty(new byte[0])
                                .flatMap(body -> OpenAiResponses.failure(call, translator.error(entity.getStatusCode().value(),
                                        body, entity.getHeaders().getFirst(HttpHeaders.RETRY_AFTER))));
                    }
                    Flux<DataBuffer> out = translateStream(call, translator, upstreamBody, provider)
                            .map(BUFFERS::wrap);
                    return ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                            .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                            .headers(h -> rateLimitHeaders.forEach(h::set))
                            .body((message, context) -> message.writeAndFlushWith(out.map(Mono::just)));
                })
                .onErrorResume(e -> isTransport(e), e -> OpenAiResponses.failure(call, transportFailure(e, provider)));
    }

    /**
     * Upstream SSE bytes → client SSE bytes, one upstream event at a time. Ends with the
     * provider's {@code [DONE]}; an upstream that stops early or reports an error gets an OpenAI
     * error event instead, and the usage event says so.
     */
    private Flux<byte[]> translateStream(Call call, ChatTranslator translator, Flux<DataBuffer> upstreamBody,
                                         ProviderEntry provider) {
        Function<byte[], List<SseEvent>> decoder = decoder(translator.framing());
        boolean[] done = {false};
        Flux<byte[]> events = upstreamBody.concatMapIterable(buffer -> {
            byte[] chunk = OpenAiResponses.bytes(buffer);
            List<byte[]> out = new ArrayList<>(2);
            for (SseEvent event : decoder.apply(chunk)) {
                if (done[0]) {
                    break;
                }
                Translated translated = translator.streamEvent(event);
                if (translated.error() != null) {
                    throw new StreamFailure(translated.error());
                }
                if (translated.bytes().length > 0) {
                    out.add(translated.bytes());
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
                    return Mono.just(SseEncoder.data(json.writeValueAsString(
                            OpenAiErrors.body(failure.message(), failure.type(), null, failure.code()))));
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
