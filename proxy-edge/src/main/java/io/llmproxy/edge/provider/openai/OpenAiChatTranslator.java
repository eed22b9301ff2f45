package io.llmproxy.edge.provider.openai;

import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.TokenUsage;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.stream.SseEncoder;
import io.llmproxy.edge.stream.SseEvent;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Canonical (OpenAI chat) ⇄ OpenAI Chat Completions: the body passes through with the route's
 * model; a stream always asks the provider for {@code stream_options.include_usage} so that the
 * usage event has the provider's own token counts, and the final usage chunk
 * ({@code "choices": []}) is passed on only when the client asked for it.
 *
 * <p>Follows https://platform.openai.com/docs/api-reference/chat/create and
 * https://platform.openai.com/docs/api-reference/chat-streaming (chunk object, usage chunk,
 * {@code data: [DONE]}), and https://platform.openai.com/docs/guides/error-codes for errors.
 */
final class OpenAiChatTranslator implements ChatTranslator {

    private final JsonMapper json;
    private final boolean stream;
    private final boolean clientWantsUsage;
    private String providerName = "provider";
    private TokenUsage reported;
    private long contentDeltas;

    OpenAiChatTranslator(JsonMapper json, boolean stream, boolean clientWantsUsage) {
        this.json = json;
        this.stream = stream;
        this.clientWantsUsage = clientWantsUsage;
    }

    @Override
    public UpstreamRequest request(ObjectNode request, ProviderEntry provider, String providerModel) {
        this.providerName = provider.name();
        ObjectNode body = request.deepCopy();
        body.put("model", providerModel);
        if (stream) {
            ObjectNode options = body.has("stream_options") && body.get("stream_options").isObject()
                    ? (ObjectNode) body.get("stream_options") : body.putObject("stream_options");
            options.put("include_usage", true);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + provider.apiKey());
        headers.put("Content-Type", "application/json");
        headers.put("Accept", stream ? "text/event-stream" : "application/json");
        return new UpstreamRequest(chatCompletionsUrl(provider.baseUrl()), headers, json.writeValueAsBytes(body));
    }

    /**
     * The base URL is the one the OpenAI SDKs take ({@code https://api.openai.com/v1}); a base URL
     * with no path at all gets {@code /v1}.
     */
    static String chatCompletionsUrl(String baseUrl) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        String path = URI.create(base).getPath();
        if (path == null || path.isEmpty()) {
            base = base + "/v1";
        }
        return base + "/chat/completions";
    }

    @Override
    public Translated response(byte[] body) {
        try {
            reported = usageOf(json.readTree(body));
        } catch (JacksonException e) {
            return new Translated(new byte[0], null, false, new UpstreamFailure(502, "server_error", "upstream_error",
                    providerName + " returned a response that is not JSON", null));
        }
        return new Translated(body, reported, true, null);
    }

    @Override
    public Translated streamEvent(SseEvent event) {
        if (event.isDone()) {
            return new Translated(SseEncoder.done(), null, true, null);
        }
        JsonNode chunk;
        try {
            chunk = json.readTree(event.data());
        } catch (JacksonException e) {
            return new Translated(new byte[0], null, false, new UpstreamFailure(502, "server_error", "upstream_error",
                    providerName + " sent a stream event that is not JSON", null));
        }
        if (chunk.has("error")) {
            JsonNode error = chunk.get("error");
            return new Translated(new byte[0], null, false, new UpstreamFailure(502, "server_error", "upstream_error",
                    providerName + " failed mid-stream: " + text(error.get("message"), "unknown error"), null));
        }
        TokenUsage usage = usageOf(chunk);
        JsonNode choices = chunk.get("choices");
        boolean usageOnly = usage != null && (choices == null || choices.isEmpty());
        if (usage != null) {
            reported = usage;
        }
        if (choices != null) {
            for (JsonNode choice : choices) {
                JsonNode content = choice.path("delta").get("content");
                if (content != null && content.isString() && !content.asString().isEmpty()) {
                    contentDeltas++;
                }
            }
        }
        if (usageOnly && !clientWantsUsage) {
            return new Translated(new byte[0], usage, false, null);
        }
        return new Translated(SseEncoder.data(event.data()), usage, false, null);
    }

    @Override
    public UpstreamFailure error(int status, byte[] body, String retryAfter) {
        String upstreamMessage = null;
        try {
            JsonNode node = json.readTree(body);
            upstreamMessage = text(node.path("error").get("message"), null);
        } catch (JacksonException | IllegalArgumentException e) {
            // not JSON: keep the status only
        }
        String detail = upstreamMessage == null ? "" : ": " + upstreamMessage;
        return switch (status) {
            case 400, 404, 409, 413, 422 -> new UpstreamFailure(status, "invalid_request_error", "upstream_rejected",
                    providerName + " rejected the request (HTTP " + status + ")" + detail, null);
            case 401, 403 -> new UpstreamFailure(502, "server_error", "upstream_auth_failed",
                    providerName + " refused the gateway's credentials (HTTP " + status + ")", null);
            case 408 -> new UpstreamFailure(504, "server_error", "upstream_timeout",
                    providerName + " timed out (HTTP 408)", null);
            case 429 -> new UpstreamFailure(429, "rate_limit_error", "rate_limit_exceeded",
                    providerName + " is rate limiting (HTTP 429)" + detail, retryAfter);
            case 503 -> new UpstreamFailure(503, "server_error", "upstream_unavailable",
                    providerName + " is unavailable (HTTP 503)" + detail, retryAfter);
            default -> new UpstreamFailure(502, "server_error", "upstream_error",
                    providerName + " failed (HTTP " + status + ")" + detail, retryAfter);
        };
    }

    @Override
    public boolean usageReported() {
        return reported != null;
    }

    @Override
    public TokenUsage usageSoFar() {
        return reported != null ? reported : new TokenUsage(0, contentDeltas);
    }

    private static TokenUsage usageOf(JsonNode node) {
        JsonNode usage = node.get("usage");
        if (usage == null || !usage.isObject()) {
            return null;
        }
        return new TokenUsage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0),
                usage.path("prompt_tokens_details").path("cached_tokens").asLong(0));
    }

    private static String text(JsonNode node, String fallback) {
        return node != null && node.isString() ? node.asString() : fallback;
    }

}
