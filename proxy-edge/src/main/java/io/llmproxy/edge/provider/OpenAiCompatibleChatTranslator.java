package io.llmproxy.edge.provider;

import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.stream.SseEncoder;
import io.llmproxy.edge.stream.SseEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Canonical (OpenAI chat) ⇄ an OpenAI-compatible Chat Completions API (OpenAI, Azure OpenAI,
 * Mistral): the body passes through with the route's model, and subclasses override only the URL,
 * the authentication header and the body fields the provider names differently. Lives in
 * {@code provider} itself (not in a provider folder) so that every provider folder may reuse it.
 *
 * <p>Stream handling, after https://platform.openai.com/docs/api-reference/chat-streaming:
 * <ul>
 *   <li>a chunk with {@code "choices": []} and a {@code usage} object (OpenAI's usage chunk) reaches
 *       the client only when it asked for {@code stream_options.include_usage};</li>
 *   <li>a chunk that carries {@code usage} next to non-empty {@code choices} (Mistral's last chunk)
 *       is split: the chunk goes out without {@code usage}, then, if the client asked for usage, an
 *       OpenAI usage chunk ({@code "choices": []}) follows;</li>
 *   <li>a chunk with empty {@code choices} and no usage (Azure's leading
 *       {@code prompt_filter_results} chunk) is dropped;</li>
 *   <li>{@code {"error":…}} mid-stream becomes an {@link UpstreamFailure} (502 {@code upstream_error}).</li>
 * </ul>
 * Bodies and events pass through as they are: what the gateway needs of them (usage, error, content
 * deltas) is read in one streaming pass ({@link OpenAiChunkScan}), without a JSON tree, but for the one
 * event that has to be split.
 *
 * <p>Errors: the message is read from {@code error.message} (OpenAI, Azure), {@code message}
 * (Mistral) or {@code detail} (Mistral's 422 validation errors); statuses map per
 * {@link UpstreamFailures}.
 */
public abstract class OpenAiCompatibleChatTranslator implements ChatTranslator {

    protected final JsonMapper json;
    protected final boolean stream;
    protected final boolean clientWantsUsage;
    protected String providerName = "provider";
    private TokenUsage reported;
    private long contentDeltas;

    protected OpenAiCompatibleChatTranslator(JsonMapper json, boolean stream, boolean clientWantsUsage) {
        this.json = json;
        this.stream = stream;
        this.clientWantsUsage = clientWantsUsage;
    }

    /** @return the absolute chat completions URL for this provider connection and model */
    protected abstract String url(ProviderEntry provider, String providerModel);

    /** Adds the credential header; default {@code Authorization: Bearer <key>}. */
    protected void authenticate(Map<String, String> headers, ProviderEntry provider) {
        headers.put("Authorization", "Bearer " + provider.apiKey());
    }

    /**
     * Adapts the copied canonical body for the provider. Default: {@code model} = the route's model,
     * and a stream asks for {@code stream_options.include_usage}.
     *
     * @throws UnsupportedRequestException when the provider cannot take the request
     */
    protected void adapt(ObjectNode body, String providerModel) {
        body.put("model", providerModel);
        if (stream) {
            ObjectNode options = body.has("stream_options") && body.get("stream_options").isObject()
                    ? (ObjectNode) body.get("stream_options") : body.putObject("stream_options");
            options.put("include_usage", true);
        }
    }

    @Override
    public UpstreamRequest request(ObjectNode request, ProviderEntry provider, String providerModel) {
        this.providerName = provider.name();
        ObjectNode body = request.deepCopy();
        adapt(body, providerModel);
        Map<String, String> headers = new LinkedHashMap<>();
        authenticate(headers, provider);
        headers.put("Content-Type", "application/json");
        headers.put("Accept", stream ? "text/event-stream" : "application/json");
        return new UpstreamRequest(url(provider, providerModel), headers, json.writeValueAsBytes(body));
    }

    /**
     * {@code base + path} where a base URL that has no path at all gets {@code /v1} first (the
     * OpenAI SDKs' base URL convention: {@code https://api.openai.com/v1}); a trailing {@code /} is ignored.
     */
    public static String v1Url(String baseUrl, String path) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        String basePath = ProviderUris.parse(base).getPath();
        if (basePath == null || basePath.isEmpty()) {
            base = base + "/v1";
        }
        return base + path;
    }

    @Override
    public Translated response(byte[] body) {
        OpenAiChunkScan answer;
        try {
            answer = OpenAiChunkScan.of(json, body);
        } catch (JacksonException e) {
            return new Translated(new byte[0], null, false,
                    UpstreamFailures.malformed(providerName, "returned a response that is not JSON"));
        }
        reported = answer.usage;
        return new Translated(body, reported, true, null);
    }

    @Override
    public Translated streamEvent(SseEvent event) {
        if (event.isDone()) {
            return new Translated(SseEncoder.done(), null, true, null);
        }
        OpenAiChunkScan scan;
        try {
            scan = OpenAiChunkScan.of(json, event.data());
        } catch (JacksonException e) {
            return new Translated(new byte[0], null, false,
                    UpstreamFailures.malformed(providerName, "sent a stream event that is not JSON"));
        }
        if (scan.error) {
            return new Translated(new byte[0], null, false, new UpstreamFailure(502, "server_error", "upstream_error",
                    providerName + " failed mid-stream: " + (scan.errorMessage != null ? scan.errorMessage : "unknown error"), null));
        }
        TokenUsage usage = scan.usage;
        boolean noChoices = !scan.choices;
        if (usage != null) {
            reported = usage;
        }
        contentDeltas += scan.contentDeltas;
        if (noChoices) {
            if (usage == null || !clientWantsUsage) {
                return new Translated(new byte[0], usage, false, null);
            }
            return new Translated(SseEncoder.data(event.data()), usage, false, null);
        }
        if (usage == null) {
            return new Translated(SseEncoder.data(event.data()), null, false, null);
        }
        // usage inline with choices (Mistral's last chunk, once per stream), the one event read as a tree: split
        // into the chunk without usage and, on request, an OpenAI usage chunk
        ObjectNode withoutUsage = (ObjectNode) json.readTree(event.data());
        JsonNode usageNode = withoutUsage.remove("usage");
        byte[] first = SseEncoder.data(json.writeValueAsString(withoutUsage));
        if (!clientWantsUsage) {
            return new Translated(first, usage, false, null);
        }
        ObjectNode usageChunk = json.createObjectNode();
        for (String field : new String[] {"id", "object", "created", "model"}) {
            if (withoutUsage.has(field)) {
                usageChunk.set(field, withoutUsage.get(field));
            }
        }
        usageChunk.putArray("choices");
        usageChunk.set("usage", usageNode);
        byte[] second = SseEncoder.data(json.writeValueAsString(usageChunk));
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return new Translated(both, usage, false, null);
    }

    @Override
    public UpstreamFailure error(int status, byte[] body, String retryAfter) {
        return UpstreamFailures.forStatus(providerName, status, errorMessage(json, body), retryAfter);
    }

    /**
     * @return the provider's error message from an OpenAI-like error body ({@code error.message},
     *         {@code message}, or {@code detail} as a string or as FastAPI's {@code [{"msg"}]}), or null
     */
    public static String errorMessage(JsonMapper json, byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            if (node == null || !node.isObject()) {
                return null;
            }
            String message = text(node.path("error").get("message"), null);
            if (message == null) {
                message = text(node.get("message"), null);
            }
            if (message == null) {
                JsonNode detail = node.get("detail");
                message = detail != null && detail.isArray() && !detail.isEmpty()
                        ? text(detail.get(0).get("msg"), null) : text(detail, null);
            }
            return message;
        } catch (JacksonException | IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public boolean usageReported() {
        return reported != null;
    }

    @Override
    public TokenUsage usageSoFar() {
        return reported != null ? reported : new TokenUsage(0, contentDeltas);
    }

    protected static String text(JsonNode node, String fallback) {
        return node != null && node.isString() ? node.asString() : fallback;
    }
}
