package io.llmproxy.edge.telemetry;

import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.SnapshotStore;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The gateway's OpenTelemetry spans (issue #12), with the attribute names of OpenTelemetry's semantic
 * conventions for generative AI (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/):
 *
 * <ul>
 *   <li>one SERVER span per gateway call, named {@code {gen_ai.operation.name} {gen_ai.request.model}}
 *       (e.g. {@code chat gpt-4o-mini}), child of the client's W3C {@code traceparent} when it sent one;
 *       attributes {@code gen_ai.operation.name}, {@code gen_ai.provider.name}, {@code gen_ai.request.model},
 *       {@code gen_ai.response.model}, {@code gen_ai.response.id}, {@code gen_ai.response.finish_reasons},
 *       {@code gen_ai.usage.input_tokens} (cached tokens included), {@code gen_ai.usage.output_tokens},
 *       {@code gen_ai.usage.cache_read.input_tokens}, {@code gen_ai.request.stream}, the request's
 *       {@code gen_ai.request.max_tokens}/{@code temperature}/{@code top_p} when present, {@code error.type}
 *       on failure, and the project's own {@code llmproxy.tenant.id}, {@code llmproxy.principal},
 *       {@code llmproxy.client.endpoint}, {@code llmproxy.refusal.reason}, {@code llmproxy.attempts};</li>
 *   <li>one CLIENT span per upstream attempt ({@link #attempt}), child of the call's span, named
 *       {@code {operation} {provider model}}, with {@code gen_ai.provider.name}, {@code server.address},
 *       {@code server.port} and, when it failed, {@code error.type}; its context goes to the provider as
 *       {@code traceparent}.</li>
 * </ul>
 * Never an API key, a token, a provider credential, nor prompt or completion text. The call's context also
 * travels with its usage event (the Kafka record's {@code traceparent} header), so that the billing and
 * audit consumer's span joins the call's trace. Sampling and export are Spring Boot's
 * ({@code management.tracing.sampling.probability}, {@code management.opentelemetry.tracing.export.otlp.endpoint}).
 */
@Component
public class CallTracing {

    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
    static final AttributeKey<List<String>> FINISH_REASONS = AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<Long> CACHE_READ_TOKENS = AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
    static final AttributeKey<Boolean> STREAM = AttributeKey.booleanKey("gen_ai.request.stream");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> TENANT = AttributeKey.stringKey("llmproxy.tenant.id");
    static final AttributeKey<String> PRINCIPAL = AttributeKey.stringKey("llmproxy.principal");
    static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("llmproxy.client.endpoint");
    static final AttributeKey<String> REFUSAL = AttributeKey.stringKey("llmproxy.refusal.reason");
    static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("llmproxy.attempts");

    private static final TextMapGetter<Function<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Function<String, String> carrier) {
            return List.of("traceparent", "tracestate");
        }

        @Override
        public String get(Function<String, String> carrier, String key) {
            return carrier == null ? null : carrier.apply(key);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final SnapshotStore snapshots;

    public CallTracing(ObjectProvider<OpenTelemetry> openTelemetry, SnapshotStore snapshots) {
        OpenTelemetry otel = openTelemetry.getIfAvailable(OpenTelemetry::noop);
        this.tracer = otel.getTracer("io.llmproxy.edge");
        // W3C trace context only: Boot's composite propagator (W3C, baggage, B3) cost more than the
        // rest of the call's tracing together (JFR, issue #16); the edge reads and writes traceparent/tracestate
        this.propagator = io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance();
        this.snapshots = snapshots;
    }

    /**
     * Starts the call's span and attaches it to {@code call}; it ends when the call finishes
     * ({@link #finish}).
     *
     * @param headers the client's request headers by (case-insensitive) name, for {@code traceparent}
     */
    public void start(Call call, String endpoint, Function<String, String> headers) {
        Context parent = headers == null ? Context.root() : propagator.extract(Context.root(), headers, HEADERS);
        String operation = operation(endpoint);
        Span span = tracer.spanBuilder(operation).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute(OPERATION, operation).setAttribute(ENDPOINT, endpoint).startSpan();
        call.trace(span);
    }

    /**
     * Starts the span of one upstream attempt (ended by {@link AttemptSpan#end}).
     *
     * @param providerType the provider's type ({@code openai}, {@code azure-openai}, …)
     * @param url          the provider request's absolute URL (for {@code server.address}/{@code server.port})
     * @return the attempt's span and the headers that carry its context to the provider
     */
    public AttemptSpan attempt(Call call, String providerType, String providerModel, String url) {
        Span parent = call.span();
        if (!parent.getSpanContext().isValid()) {
            return AttemptSpan.NONE;
        }
        String operation = operation(call.endpoint());
        Span span = tracer.spanBuilder(operation + " " + providerModel).setParent(Context.root().with(parent))
                .setSpanKind(SpanKind.CLIENT).setAttribute(OPERATION, operation)
                .setAttribute(PROVIDER, providerName(providerType)).setAttribute(REQUEST_MODEL, providerModel)
                .startSpan();
        if (span.isRecording()) {
            try {
                URI uri = URI.create(url);
                span.setAttribute(SERVER_ADDRESS, uri.getHost());
                int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
                span.setAttribute(SERVER_PORT, (long) port);
            } catch (IllegalArgumentException ignored) {
                // an unparsable URL fails the attempt itself; the span just lacks the address
            }
        }
        Map<String, String> headers = new HashMap<>(4);
        propagator.inject(Context.root().with(span), headers, Map::put);
        return new AttemptSpan(span, Map.copyOf(headers));
    }

    /** Records the request's sampling parameters on the call's span (null ones are left out). */
    public static void requestParameters(Call call, Number maxTokens, Number temperature, Number topP) {
        Span span = call.span();
        if (!span.isRecording()) {
            return;
        }
        if (maxTokens != null) {
            span.setAttribute("gen_ai.request.max_tokens", maxTokens.longValue());
        }
        if (temperature != null) {
            span.setAttribute("gen_ai.request.temperature", temperature.doubleValue());
        }
        if (topP != null) {
            span.setAttribute("gen_ai.request.top_p", topP.doubleValue());
        }
    }

    /**
     * Records the request's {@code max_tokens} (or {@code max_completion_tokens}), {@code temperature} and
     * {@code top_p} from the canonical (OpenAI chat-shaped) request body, when the call's span records.
     */
    public static void request(Call call, tools.jackson.databind.JsonNode canonical) {
        if (!call.span().isRecording() || canonical == null) {
            return;
        }
        tools.jackson.databind.JsonNode max = canonical.has("max_completion_tokens")
                ? canonical.get("max_completion_tokens") : canonical.get("max_tokens");
        requestParameters(call, number(max), number(canonical.get("temperature")), number(canonical.get("top_p")));
    }

    /**
     * Records the response's {@code id} and {@code choices[].finish_reason} from the canonical (OpenAI
     * chat-shaped) response JSON, when the call's span records (it costs a parse only then).
     */
    public static void response(Call call, byte[] canonicalResponse) {
        if (!call.span().isRecording() || canonicalResponse == null) {
            return;
        }
        try {
            tools.jackson.databind.JsonNode root = READER.readTree(canonicalResponse);
            List<String> reasons = new java.util.ArrayList<>(1);
            for (tools.jackson.databind.JsonNode choice : root.path("choices")) {
                tools.jackson.databind.JsonNode reason = choice.get("finish_reason");
                if (reason != null && reason.isString()) {
                    reasons.add(reason.asString());
                }
            }
            tools.jackson.databind.JsonNode id = root.get("id");
            response(call, id != null && id.isString() ? id.asString() : null, reasons);
        } catch (RuntimeException unreadable) {
            // the span just lacks the response's id; the call itself already has its answer
        }
    }

    private static final tools.jackson.databind.json.JsonMapper READER = io.llmproxy.edge.config.EdgeJson.builder().build();

    private static Number number(tools.jackson.databind.JsonNode node) {
        return node != null && node.isNumber() ? node.numberValue() : null;
    }

    /** Records the provider's response id and finish reasons on the call's span. */
    public static void response(Call call, String responseId, List<String> finishReasons) {
        Span span = call.span();
        if (!span.isRecording()) {
            return;
        }
        if (responseId != null) {
            span.setAttribute(RESPONSE_ID, responseId);
        }
        if (finishReasons != null && !finishReasons.isEmpty()) {
            span.setAttribute(FINISH_REASONS, finishReasons);
        }
    }

    /** Ends the call's span with what its usage event {@code e} says (called once, when the call finishes). */
    public void finish(Call call, UsageRecorded e) {
        Span span = call.span();
        if (!span.isRecording()) {
            span.end();
            return;
        }
        String operation = operation(e.endpoint());
        if (e.model() != null) {
            span.updateName(operation + " " + e.model());
            span.setAttribute(REQUEST_MODEL, e.model());
        }
        span.setAttribute(STREAM, e.stream());
        if (e.providerId() != null) {
            EdgeSnapshot.ProviderEntry p = snapshots.current().providersById().get(e.providerId());
            span.setAttribute(PROVIDER, providerName(p == null ? null : p.type()));
            if (e.providerModel() != null) {
                span.setAttribute(RESPONSE_MODEL, e.providerModel());
            }
            span.setAttribute(INPUT_TOKENS, e.promptTokens());
            span.setAttribute(OUTPUT_TOKENS, e.completionTokens());
            if (e.cachedPromptTokens() > 0) {
                span.setAttribute(CACHE_READ_TOKENS, e.cachedPromptTokens());
            }
        }
        if (e.tenantId() != null) {
            span.setAttribute(TENANT, e.tenantId());
        }
        if (e.principal() != null) {
            span.setAttribute(PRINCIPAL, e.principal());
        }
        if (e.refusalReason() != null) {
            span.setAttribute(REFUSAL, e.refusalReason());
        }
        span.setAttribute(ATTEMPTS, (long) (e.attempts() == null ? 0 : e.attempts().size()));
        span.setAttribute("http.response.status_code", (long) e.httpStatus());
        if (e.httpStatus() >= 400) {
            span.setAttribute(ERROR_TYPE, Integer.toString(e.httpStatus()));
            span.setStatus(StatusCode.ERROR, e.outcome().name());
        }
        span.end();
    }

    /** @return {@code embeddings} for the embeddings endpoints, else {@code chat} */
    static String operation(String endpoint) {
        return endpoint != null && endpoint.contains("embed") ? "embeddings" : "chat";
    }

    /** @return the convention's {@code gen_ai.provider.name} for a provider type, {@code none} without one */
    static String providerName(String type) {
        if (type == null) {
            return "none";
        }
        return switch (type) {
            case "azure-openai" -> "azure.ai.openai";
            case "mistral" -> "mistral_ai";
            case "openai", "anthropic", "cohere", "ollama" -> type;
            default -> "other";
        };
    }

    /**
     * One upstream attempt's span: ended once, by {@link #end} on a failure, or when the call finishes
     * ({@link #served} with the provider's 2xx; otherwise as cancelled).
     */
    public static final class AttemptSpan {

        static final AttemptSpan NONE = new AttemptSpan(Span.getInvalid(), Map.of());

        private final Span span;
        private final Map<String, String> headers;
        private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        private volatile int servedStatus;

        AttemptSpan(Span span, Map<String, String> headers) {
            this.span = span;
            this.headers = headers;
        }

        /** @return {@code traceparent} (and {@code tracestate}) to send to the provider; empty when not traced */
        public Map<String, String> headers() {
            return headers;
        }

        /** Marks the attempt as the one serving the call, with the provider's 2xx {@code status}. */
        public void served(int status) {
            servedStatus = status;
        }

        /** Ends the span when the call finishes: with the served status, else as {@code cancelled}. */
        public void callFinished() {
            int status = servedStatus;
            end(status, status > 0 ? null : "cancelled");
        }

        /**
         * Ends the span (only the first end counts).
         *
         * @param status    the provider's HTTP status (0 when none arrived)
         * @param errorType null on success, else e.g. {@code http_503}, {@code timeout}, {@code unreachable}
         */
        public void end(int status, String errorType) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            if (span.isRecording()) {
                if (status > 0) {
                    span.setAttribute("http.response.status_code", (long) status);
                }
                if (errorType != null) {
                    span.setAttribute(ERROR_TYPE, errorType);
                    span.setStatus(StatusCode.ERROR);
                }
            }
            span.end();
        }
    }
}
