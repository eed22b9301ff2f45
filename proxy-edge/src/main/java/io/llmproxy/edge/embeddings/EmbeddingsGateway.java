package io.llmproxy.edge.embeddings;

import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.call.ContentCapture;
import io.llmproxy.edge.gateway.Admission;
import io.llmproxy.edge.gateway.AttemptLoop;
import io.llmproxy.edge.gateway.ErrorFormat;
import io.llmproxy.edge.gateway.Gateway;
import io.llmproxy.edge.gateway.GatewayError;
import io.llmproxy.edge.provider.ProviderRegistry;
import io.llmproxy.edge.provider.UnsupportedRequestException;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import java.util.Map;
import java.util.function.Function;
import org.springframework.stereotype.Component;
import io.llmproxy.edge.http.EdgeResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The embeddings operation, whatever client format it came in, on the edge's one pipeline
 * ({@link Gateway} → {@link Admission} → {@link AttemptLoop}): authenticate from the snapshot, parse
 * and convert the body to the canonical (OpenAI embeddings) request and check it, route the model,
 * check the key's allowed models, reserve quota (the prompt estimate: ⌈characters / 4⌉ per text, one
 * token per element of a token array), call the provider through its
 * {@link io.llmproxy.edge.provider.EmbeddingsTranslator}, settle quota and publish exactly one usage
 * event (endpoint {@value #ENDPOINT}, completion tokens 0). Failures are {@link GatewayError}s the
 * client API's {@link ErrorFormat} renders; the client API renders the {@link Answer} too.
 */
@Component
public class EmbeddingsGateway {

    /** The usage event's {@code endpoint}. */
    public static final String ENDPOINT = "embeddings";
    /** Largest {@code dimensions} accepted (the largest embedding models today have 4,096; headroom). */
    public static final int MAX_DIMENSIONS = 65_536;
    /** The 401 message of a request without a key, in every client format of embeddings. */
    static final String MISSING_KEY = "You didn't provide an API key. You need to provide your API key in an "
            + "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

    /** Renders a successful call in the client's format. */
    @FunctionalInterface
    public interface Answer {
        /**
         * @param canonical        {@code {"object":"list","data":[{"object":"embedding","index","embedding"}],"model","usage"}}
         * @param model            the public model name the client asked for
         * @param rateLimitHeaders {@code x-ratelimit-*} headers for the response
         */
        Mono<EdgeResponse> render(JsonNode canonical, String model, Map<String, String> rateLimitHeaders);
    }

    private final Gateway gateway;
    private final Admission admission;
    private final AttemptLoop attempts;
    private final ProviderRegistry providers;
    private final JsonMapper json;

    public EmbeddingsGateway(Gateway gateway, Admission admission, AttemptLoop attempts, ProviderRegistry providers,
                             JsonMapper json) {
        this.gateway = gateway;
        this.admission = admission;
        this.attempts = attempts;
        this.providers = providers;
        this.json = json;
    }

    /**
     * @param headers       the request's headers by name: {@code Authorization} ({@code Bearer <key>}) and the
     *                      W3C {@code traceparent}
     * @param body          the request body
     * @param toCanonical   the client format's body → canonical request; throws
     *                      {@link UnsupportedRequestException} for an invalid body (400)
     * @param errors        the client format's error bodies
     * @param answer        the client format's success body
     */
    public Mono<EdgeResponse> embed(java.util.function.Function<String, String> headers, Mono<byte[]> body, Function<JsonNode, ObjectNode> toCanonical,
                                      ErrorFormat errors, Answer answer) {
        return gateway.serve(ENDPOINT, errors, headers.apply(org.springframework.http.HttpHeaders.AUTHORIZATION), MISSING_KEY,
                headers, body,
                (call, caller, bytes) -> embed(call, caller, bytes, toCanonical, answer));
    }

    private Mono<EdgeResponse> embed(Call call, ApiKeyAuthenticator.Result caller, byte[] bytes,
                                       Function<JsonNode, ObjectNode> toCanonical, Answer answer) {
        ObjectNode request = canonical(bytes, toCanonical);
        String model = Admission.checkModel(request.get("model").asString());
        call.request(model, false);
        JsonNode input = checkedInput(request);
        if (caller.snapshot().storesPromptContent(caller.key().tenantId())) {
            // content capture (issue #5): the input texts, no completion
            call.promptText(ContentCapture.embeddingsInput(input));
        }
        long estimate = promptEstimate(input);
        return admission.admit(call, caller, model, request, provider -> providers.adapter(provider.type()).embeddingsTranslator(),
                        estimate, estimate)
                .flatMap(admitted -> attempts.whole(call, admitted, (attempt, translated) -> {
                    call.finish(200, Outcome.SUCCESS);
                    return answer.render(json.readTree(translated.bytes()), model, admitted.rateLimitHeaders());
                }).delayUntil(response -> call.synced())); // leaves once its usage event is durable (ADR 0006)
    }

    /** @return the canonical request, with a non-blank string {@code model}; else 400 */
    private ObjectNode canonical(byte[] bytes, Function<JsonNode, ObjectNode> toCanonical) {
        ObjectNode request;
        try {
            request = toCanonical.apply(json.readTree(bytes));
        } catch (JacksonException e) {
            throw GatewayError.badRequest("We could not parse the JSON body of your request.", null).exception();
        } catch (UnsupportedRequestException e) {
            throw GatewayError.badRequest(e.getMessage(), e.param()).exception();
        }
        JsonNode modelNode = request.get("model");
        if (modelNode == null || !modelNode.isString() || modelNode.asString().isBlank()) {
            throw GatewayError.badRequest("you must provide a model parameter", "model").exception();
        }
        return request;
    }

    /** @return {@code input}, after checking it, {@code encoding_format} and {@code dimensions}; else 400 */
    private static JsonNode checkedInput(ObjectNode request) {
        JsonNode input = request.get("input");
        if (input == null || !(input.isString() || (input.isArray() && !input.isEmpty()))) {
            throw GatewayError.badRequest("'input' must be a non-empty string or array", "input").exception();
        }
        JsonNode format = request.get("encoding_format");
        if (format != null && !format.isNull() && !"float".equals(format.asString("")) && !"base64".equals(format.asString(""))) {
            throw GatewayError.badRequest("'encoding_format' must be 'float' or 'base64'", "encoding_format").exception();
        }
        JsonNode dimensions = request.get("dimensions");
        if (dimensions != null && !dimensions.isNull() && !(dimensions.isInt() && dimensions.asInt() >= 1
                && dimensions.asInt() <= MAX_DIMENSIONS)) {
            throw GatewayError.badRequest("'dimensions' must be an integer from 1 to " + MAX_DIMENSIONS, "dimensions").exception();
        }
        return input;
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
}
