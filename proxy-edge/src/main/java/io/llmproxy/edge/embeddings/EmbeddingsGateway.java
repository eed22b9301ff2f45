package io.llmproxy.edge.embeddings;

import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.call.ContentCapture;
import io.llmproxy.edge.call.UpstreamClient;
import io.llmproxy.edge.http.RequestBodyException;
import io.llmproxy.edge.provider.EmbeddingsTranslator;
import io.llmproxy.edge.provider.ProviderRegistry;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UnsupportedRequestException;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.quota.QuotaDecision;
import io.llmproxy.edge.quota.QuotaService;
import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import io.llmproxy.edge.usage.UsagePublisher;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import io.netty.handler.timeout.ReadTimeoutException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One embeddings call, whatever client format it came in: authenticate from the snapshot, parse and
 * convert the body to the canonical (OpenAI embeddings) request, route the model, check the key's
 * allowed models, reserve quota (the prompt estimate: ⌈characters / 4⌉ per text, one token per
 * element of a token array), call the provider through its {@link EmbeddingsTranslator}, settle quota
 * and publish exactly one usage event (endpoint {@value #ENDPOINT}, completion tokens 0). The client
 * API renders the {@link Result} in its own format; nothing here knows a client format.
 */
@Component
public class EmbeddingsGateway {

    /** The usage event's {@code endpoint}. */
    public static final String ENDPOINT = "embeddings";
    /** Largest {@code dimensions} accepted (the largest embedding models today have 4,096; headroom). */
    public static final int MAX_DIMENSIONS = 65_536;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EmbeddingsGateway.class);

    /**
     * A failure for the client API to render.
     *
     * @param status     HTTP status for the client
     * @param type       OpenAI error type ({@code invalid_request_error}, {@code permission_error}, …)
     * @param code       OpenAI error code ({@code invalid_api_key}, {@code model_not_found}, …)
     * @param message    human-readable; names the provider, never a credential
     * @param param      the request field at fault, or null
     * @param retryAfter {@code Retry-After} value (seconds), or null
     */
    public record Failure(int status, String type, String code, String message, String param, String retryAfter) {
    }

    /**
     * What became of the call.
     *
     * @param canonical the canonical response ({@code {"object":"list","data":[…],"model","usage"}}) on success, else null
     * @param failure   the failure, else null
     * @param headers   {@code x-ratelimit-*} headers for the response
     * @param model     the public model name the client asked for (null when the body had none)
     */
    public record Result(JsonNode canonical, Failure failure, Map<String, String> headers, String model) {
        public boolean ok() {
            return failure == null;
        }
    }

    private final ApiKeyAuthenticator authenticator;
    private final ProviderRegistry providers;
    private final UpstreamClient upstream;
    private final UsagePublisher usage;
    private final JsonMapper json;
    private final QuotaService quotas;

    public EmbeddingsGateway(ApiKeyAuthenticator authenticator, ProviderRegistry providers, UpstreamClient upstream,
                             UsagePublisher usage, JsonMapper json, QuotaService quotas) {
        this.authenticator = authenticator;
        this.providers = providers;
        this.upstream = upstream;
        this.usage = usage;
        this.json = json;
        this.quotas = quotas;
    }

    /**
     * @param authorization the {@code Authorization} header ({@code Bearer <key>}), or null
     * @param body          the request body
     * @param toCanonical   the client format's body → canonical request; throws
     *                      {@link UnsupportedRequestException} for an invalid body (400)
     */
    public Mono<Result> embed(String authorization, Mono<byte[]> body, Function<JsonNode, ObjectNode> toCanonical) {
        Call call = new Call(ENDPOINT, usage);
        ApiKeyAuthenticator.Result auth = authenticator.authenticate(authorization);
        call.key(auth.key());
        if (auth.status() != ApiKeyAuthenticator.Status.OK) {
            return Mono.just(unauthorized(call, auth.status()));
        }
        return body.defaultIfEmpty(new byte[0])
                .flatMap(bytes -> route(call, auth, bytes, toCanonical))
                .onErrorResume(DataBufferLimitException.class, e -> Mono.just(fail(call, null,
                        new Failure(413, "invalid_request_error", "request_too_large",
                                "Request body is larger than this gateway accepts.", null, null))))
                // a refused Content-Type (400/415) or a body that did not arrive in time (408)
                .onErrorResume(RequestBodyException.class, e -> Mono.just(fail(call, null,
                        new Failure(e.status(), "invalid_request_error", e.code(), e.getMessage(), null, null))))
                .onErrorResume(e -> {
                    // never a bare 500 and never a lost usage event, whatever went wrong
                    LOG.warn("embeddings call failed unexpectedly: {}", e.toString());
                    return Mono.just(fail(call, null, new Failure(500, "server_error", "internal_error",
                            "The gateway could not handle this request.", null, null)));
                })
                .doOnCancel(() -> call.finish(499, Outcome.CANCELLED));
    }

    private Mono<Result> route(Call call, ApiKeyAuthenticator.Result auth, byte[] bytes,
                               Function<JsonNode, ObjectNode> toCanonical) {
        ObjectNode request;
        try {
            request = toCanonical.apply(json.readTree(bytes));
        } catch (JacksonException e) {
            return Mono.just(badRequest(call, null, "We could not parse the JSON body of your request.", null));
        } catch (UnsupportedRequestException e) {
            return Mono.just(badRequest(call, null, e.getMessage(), e.param()));
        }
        JsonNode modelNode = request.get("model");
        if (modelNode == null || !modelNode.isString() || modelNode.asString().isBlank()) {
            return Mono.just(badRequest(call, null, "you must provide a model parameter", "model"));
        }
        String model = modelNode.asString();
        if (model.length() > 256 || model.chars().anyMatch(Character::isISOControl)) {
            return Mono.just(badRequest(call, null, "'model' must be at most 256 characters without control characters", "model"));
        }
        call.request(model, false);
        JsonNode input = request.get("input");
        if (input == null || !(input.isString() || (input.isArray() && !input.isEmpty()))) {
            return Mono.just(badRequest(call, model, "'input' must be a non-empty string or array", "input"));
        }
        JsonNode format = request.get("encoding_format");
        if (format != null && !format.isNull() && !"float".equals(format.asString("")) && !"base64".equals(format.asString(""))) {
            return Mono.just(badRequest(call, model, "'encoding_format' must be 'float' or 'base64'", "encoding_format"));
        }
        JsonNode dimensions = request.get("dimensions");
        if (dimensions != null && !dimensions.isNull() && !(dimensions.isInt() && dimensions.asInt() >= 1
                && dimensions.asInt() <= MAX_DIMENSIONS)) {
            return Mono.just(badRequest(call, model, "'dimensions' must be an integer from 1 to " + MAX_DIMENSIONS, "dimensions"));
        }
        EdgeSnapshot snapshot = auth.snapshot();
        if (snapshot.storesPromptContent(auth.key().tenantId())) {
            // content capture (issue #5): the input texts, no completion
            call.promptText(ContentCapture.embeddingsInput(input));
        }
        RouteEntry route = snapshot.route(auth.key().tenantId(), model);
        if (route == null || route.targets().isEmpty()) {
            return Mono.just(fail(call, model, new Failure(404, "invalid_request_error", "model_not_found",
                    "The model `" + model + "` does not exist or you do not have access to it.", "model", null)));
        }
        if (!auth.key().allows(model)) {
            call.refused("model_not_allowed");
            return Mono.just(fail(call, model, new Failure(403, "permission_error", "model_not_allowed",
                    "This API key is not allowed to use the model `" + model + "`.", "model", null)));
        }
        Target target = route.targets().get(0);
        ProviderEntry provider = snapshot.providersById().get(target.providerId());
        if (provider == null || provider.apiKey() == null) {
            return Mono.just(fail(call, model, new Failure(502, "server_error", "provider_unavailable",
                    "The provider for model `" + model + "` is not available on this gateway.", null, null)));
        }
        EmbeddingsTranslator translator;
        UpstreamRequest upstreamRequest;
        try {
            translator = providers.adapter(provider.type()).embeddingsTranslator();
            call.upstream(provider.providerId(), target.model(), translator);
            upstreamRequest = translator.request(request, provider, target.model());
        } catch (UnsupportedRequestException e) {
            return Mono.just(badRequest(call, model, e.getMessage(), e.param()));
        }
        long estimate = promptEstimate(input);
        call.promptEstimate(estimate);
        return quotas.reserve(auth.key(), snapshot, estimate, estimate, provider.providerId(), target.model()).flatMap(decision -> {
            if (!decision.allowed()) {
                return Mono.just(quotaRefused(call, model, decision));
            }
            call.onFinish(total -> decision.reservation().settle(total, call.billedUsage()));
            return upstream.exchange(upstreamRequest)
                    .map(entity -> {
                        byte[] responseBody = entity.getBody() == null ? new byte[0] : entity.getBody();
                        if (entity.getStatusCode().is2xxSuccessful()) {
                            call.accepted();
                        } else {
                            return upstreamFailed(call, model, translator.error(entity.getStatusCode().value(), responseBody,
                                    entity.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)));
                        }
                        Translated translated = translator.response(responseBody);
                        if (translated.error() != null) {
                            return upstreamFailed(call, model, translated.error());
                        }
                        call.finish(200, Outcome.SUCCESS);
                        return new Result(json.readTree(translated.bytes()), null, decision.headers(), model);
                    })
                    .onErrorResume(EmbeddingsGateway::isTransport, e -> Mono.just(upstreamFailed(call, model, transportFailure(e, provider))))
                    .onErrorResume(DataBufferLimitException.class, e -> Mono.just(upstreamFailed(call, model,
                            new UpstreamFailure(502, "server_error", "upstream_response_too_large",
                                    provider.name() + " returned a response larger than this gateway accepts", null))));
        });
    }

    /** @return ⌈characters / 4⌉ per text plus one per token of a token array; at least 1 */
    static long promptEstimate(JsonNode input) {
        long chars = 0;
        long tokens = 0;
        if (input.isString()) {
            chars = input.asString().length();
        } else {
            for (JsonNode item : input) {
                if (item.isString()) {
                    chars += item.asString().length();
                } else if (item.isArray()) {
                    tokens += item.size();
                } else {
                    tokens++;
                }
            }
        }
        return Math.max(1, (chars + 3) / 4 + tokens);
    }

    private Result unauthorized(Call call, ApiKeyAuthenticator.Status status) {
        if (status == ApiKeyAuthenticator.Status.NOT_READY) {
            call.refused("not_ready");
            var e = io.llmproxy.edge.chat.ClientResponses.notReady();
            return fail(call, null, new Failure(e.status(), e.type(), e.code(), e.message(), null,
                    Integer.toString(ApiKeyAuthenticator.NOT_READY_RETRY_AFTER_SECONDS)));
        }
        if (status == ApiKeyAuthenticator.Status.TENANT_SUSPENDED) {
            call.refused("tenant_suspended");
            return fail(call, null, new Failure(403, "permission_error", "tenant_suspended",
                    "The organization of this API key is suspended.", null, null));
        }
        String message = switch (status) {
            case MISSING -> "You didn't provide an API key. You need to provide your API key in an Authorization header "
                    + "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
            case REVOKED -> "This API key has been revoked.";
            case EXPIRED -> "This API key has expired.";
            default -> "Incorrect API key provided.";
        };
        call.refused("invalid_api_key:" + status.name().toLowerCase(Locale.ROOT));
        return fail(call, null, new Failure(401, "invalid_request_error", "invalid_api_key", message, null, null));
    }

    private static Result quotaRefused(Call call, String model, QuotaDecision decision) {
        QuotaDecision.Refusal refusal = decision.refusal();
        call.refused(refusal.reason());
        call.finish(refusal.status(), refusal.status() >= 500 ? Outcome.UPSTREAM_ERROR : Outcome.CLIENT_ERROR);
        return new Result(null, new Failure(refusal.status(), refusal.type(), refusal.code(), refusal.message(), null,
                Long.toString(refusal.retryAfterSeconds())), decision.headers(), model);
    }

    private static Result badRequest(Call call, String model, String message, String param) {
        return fail(call, model, new Failure(400, "invalid_request_error", param == null ? "invalid_json" : "invalid_" + param,
                message, param, null));
    }

    private static Result upstreamFailed(Call call, String model, UpstreamFailure failure) {
        return fail(call, model, new Failure(failure.status(), failure.type(), failure.code(), failure.message(), null,
                failure.retryAfter()));
    }

    private static Result fail(Call call, String model, Failure failure) {
        call.finish(failure.status(), failure.status() >= 500 ? Outcome.UPSTREAM_ERROR : Outcome.CLIENT_ERROR);
        return new Result(null, failure, Map.of(), model);
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
}
