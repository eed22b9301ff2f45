package io.llmproxy.edge.provider.anthropic;

import io.llmproxy.edge.provider.CanonicalChunks;
import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.TokenUsage;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.provider.UpstreamFailures;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.stream.SseEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Canonical (OpenAI chat completions) ⇄ the Anthropic Messages API, one object per request.
 *
 * <p>Sources: https://docs.anthropic.com/en/api/messages (request, response, stop reasons, usage),
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming (event sequence
 * {@code message_start}, {@code content_block_start/delta/stop}, {@code message_delta},
 * {@code message_stop}, {@code ping}, {@code error}; {@code text_delta}, {@code input_json_delta}),
 * https://docs.anthropic.com/en/docs/build-with-claude/tool-use ({@code tool_use}/{@code tool_result}),
 * https://docs.anthropic.com/en/api/errors (error JSON, 529 {@code overloaded_error}) and
 * https://docs.anthropic.com/en/api/versioning ({@code anthropic-version: 2023-06-01}).
 *
 * <p><b>Request</b> ({@code POST {baseUrl}/v1/messages}; a base URL ending in {@code /v1} gets only
 * {@code /messages}; headers {@code x-api-key}, {@code anthropic-version: 2023-06-01}):
 * <ul>
 *   <li>{@code system}/{@code developer} messages → top-level {@code system} (texts joined by a blank line);</li>
 *   <li>{@code user} content: a string, or parts: {@code text} → text block, {@code image_url} with a
 *       {@code data:<media>;base64,…} URL → {@code {"type":"image","source":{"type":"base64",…}}}, with an
 *       http(s) URL → {@code {"type":"image","source":{"type":"url","url"}}}; any other part → 400;</li>
 *   <li>{@code assistant} {@code tool_calls} → {@code tool_use} blocks ({@code input} = the parsed
 *       {@code arguments}; arguments that are not a JSON object → 400);</li>
 *   <li>{@code tool} messages → {@code user} {@code tool_result} blocks; consecutive messages of one
 *       role are merged into one turn, as Anthropic requires alternating turns;</li>
 *   <li>{@code max_tokens} = {@code max_completion_tokens}, else {@code max_tokens}, else the edge's
 *       {@code default-max-tokens} (Anthropic requires it);</li>
 *   <li>{@code stop} → {@code stop_sequences}; {@code temperature}, {@code top_p}, {@code stream} pass;
 *       {@code user} → {@code metadata.user_id};</li>
 *   <li>{@code tools[].function} → {@code tools[]} {@code {"name","description","input_schema"}};
 *       {@code tool_choice} {@code auto}/{@code none}/{@code required}/{@code {"function":{"name"}}} →
 *       {@code {"type":"auto"|"none"|"any"|"tool","name"?}}; {@code parallel_tool_calls:false} →
 *       {@code disable_parallel_tool_use:true};</li>
 *   <li>{@code n} &gt; 1, a non-{@code text} {@code response_format}, non-function tools → 400 before any call.</li>
 * </ul>
 *
 * <p><b>Response</b>: text blocks joined → {@code message.content} (null when the answer is only tool
 * calls); {@code tool_use} → {@code tool_calls[]} with {@code arguments} = JSON text of {@code input};
 * {@code stop_reason} end_turn/stop_sequence/pause_turn → {@code stop}, max_tokens → {@code length},
 * tool_use → {@code tool_calls}, refusal → {@code content_filter}.
 *
 * <p><b>Usage</b> (tokens): {@code prompt_tokens = input_tokens + cache_read_input_tokens +
 * cache_creation_input_tokens}; {@code completion_tokens = output_tokens};
 * {@code prompt_tokens_details.cached_tokens = cache_read_input_tokens}.
 *
 * <p><b>Stream</b> → OpenAI {@code chat.completion.chunk} events: {@code message_start} → role chunk;
 * {@code text_delta} → {@code content} delta; a {@code tool_use} block start → a {@code tool_calls}
 * delta with {@code index}, {@code id}, {@code type:"function"}, {@code function.name} and empty
 * {@code arguments}; each {@code input_json_delta.partial_json} → an {@code arguments} delta of the
 * same {@code index}; {@code message_delta} → the finish chunk; {@code message_stop} → the usage chunk
 * (only when the client asked for {@code stream_options.include_usage}) and {@code [DONE]};
 * {@code ping}, {@code content_block_stop}, thinking deltas and unknown events → nothing; an
 * {@code error} event → an {@link UpstreamFailure} (overloaded → 503, rate limit → 429, else 502).
 */
final class AnthropicChatTranslator implements ChatTranslator {

    /** The API version this translator speaks. */
    static final String ANTHROPIC_VERSION = "2023-06-01";

    private final JsonMapper json;
    private final boolean stream;
    private final boolean clientWantsUsage;
    private final long defaultMaxTokens;
    private final LongSupplier epochSeconds;
    private String providerName = "provider";

    // stream state: the canonical chunks' header (id, model from message_start; created when it arrived)
    private final CanonicalChunks chunks;
    private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
    private int nextToolIndex;
    private long inputTokens;
    private long cacheReadTokens;
    private long cacheCreationTokens;
    private long outputTokens;
    private boolean usageSeen;
    private boolean finalOutputSeen;
    private long textDeltas;

    AnthropicChatTranslator(JsonMapper json, boolean stream, boolean clientWantsUsage, long defaultMaxTokens,
                            LongSupplier epochSeconds) {
        this.json = json;
        this.stream = stream;
        this.clientWantsUsage = clientWantsUsage;
        this.defaultMaxTokens = defaultMaxTokens;
        this.epochSeconds = epochSeconds;
        this.chunks = new CanonicalChunks(json, "msg", 0, "", true);
    }

    // ---------------------------------------------------------------- request

    @Override
    public UpstreamRequest request(ObjectNode request, ProviderEntry provider, String providerModel) {
        this.providerName = provider.name();
        return new AnthropicRequestWriter(json, stream, defaultMaxTokens, providerName).write(request, provider, providerModel);
    }

    /** {@code https://api.anthropic.com} → {@code …/v1/messages}; {@code …/v1} → {@code …/v1/messages}. */
    static String messagesUrl(String baseUrl) {
        return AnthropicRequestWriter.messagesUrl(baseUrl);
    }

    // ---------------------------------------------------------------- response

    @Override
    public Translated response(byte[] body) {
        JsonNode message;
        try {
            message = json.readTree(body);
        } catch (JacksonException e) {
            message = null;
        }
        if (message == null || !message.isObject() || !message.path("content").isArray()) {
            return new Translated(new byte[0], null, false,
                    UpstreamFailures.malformed(providerName, "returned a response that is not an Anthropic message"));
        }
        readUsage(message.get("usage"));
        finalOutputSeen = true;
        ObjectNode out = json.createObjectNode();
        out.put("id", message.path("id").asString("msg"));
        out.put("object", "chat.completion");
        out.put("created", epochSeconds.getAsLong());
        out.put("model", message.path("model").asString(""));
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode m = choice.putObject("message");
        m.put("role", "assistant");
        StringBuilder text = new StringBuilder();
        ArrayNode toolCalls = json.createArrayNode();
        boolean anyText = false;
        for (JsonNode block : message.get("content")) {
            switch (block.path("type").asString("")) {
                case "text" -> {
                    anyText = true;
                    text.append(block.path("text").asString(""));
                }
                case "tool_use" -> {
                    ObjectNode call = toolCalls.addObject();
                    call.put("id", block.path("id").asString(""));
                    call.put("type", "function");
                    ObjectNode function = call.putObject("function");
                    function.put("name", block.path("name").asString(""));
                    function.put("arguments", json.writeValueAsString(block.has("input") ? block.get("input")
                            : json.createObjectNode()));
                }
                default -> {
                    // thinking and other blocks have no OpenAI chat equivalent
                }
            }
        }
        if (anyText || toolCalls.isEmpty()) {
            m.put("content", text.toString());
        } else {
            m.putNull("content");
        }
        if (!toolCalls.isEmpty()) {
            m.set("tool_calls", toolCalls);
        }
        m.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(message.path("stop_reason").asString(null)));
        out.set("usage", usageJson());
        return new Translated(json.writeValueAsBytes(out), usageSoFar(), true, null);
    }

    /** Anthropic {@code stop_reason} → OpenAI {@code finish_reason}. */
    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop";
        };
    }

    // ---------------------------------------------------------------- stream

    @Override
    public Translated streamEvent(SseEvent event) {
        JsonNode data;
        try {
            data = json.readTree(event.data());
        } catch (JacksonException e) {
            return new Translated(new byte[0], null, false,
                    UpstreamFailures.malformed(providerName, "sent a stream event that is not JSON"));
        }
        if (data == null || !data.isObject()) {
            return Translated.nothing();
        }
        String type = data.path("type").asString(event.event() == null ? "" : event.event());
        switch (type) {
            case "message_start" -> {
                JsonNode message = data.path("message");
                chunks.id(message.path("id").asString(chunks.id()));
                chunks.model(message.path("model").asString(chunks.model()));
                chunks.created(epochSeconds.getAsLong());
                readUsage(message.get("usage"));
                return new Translated(chunks.chunk(chunks.roleDelta(), null), usageSeen ? usageSoFar() : null, false, null);
            }
            case "content_block_start" -> {
                JsonNode block = data.path("content_block");
                if ("tool_use".equals(block.path("type").asString(""))) {
                    int toolIndex = nextToolIndex++;
                    toolIndexByBlock.put(data.path("index").asInt(), toolIndex);
                    ObjectNode delta = json.createObjectNode();
                    ObjectNode call = delta.putArray("tool_calls").addObject();
                    call.put("index", toolIndex);
                    call.put("id", block.path("id").asString(""));
                    call.put("type", "function");
                    ObjectNode function = call.putObject("function");
                    function.put("name", block.path("name").asString(""));
                    function.put("arguments", "");
                    return Translated.of(chunk(delta, null));
                }
                if ("text".equals(block.path("type").asString("")) && !block.path("text").asString("").isEmpty()) {
                    ObjectNode delta = json.createObjectNode();
                    delta.put("content", block.path("text").asString());
                    return Translated.of(chunk(delta, null));
                }
                return Translated.nothing();
            }
            case "content_block_delta" -> {
                JsonNode delta = data.path("delta");
                String deltaType = delta.path("type").asString("");
                if ("text_delta".equals(deltaType)) {
                    textDeltas++;
                    ObjectNode d = json.createObjectNode();
                    d.put("content", delta.path("text").asString(""));
                    return Translated.of(chunk(d, null));
                }
                if ("input_json_delta".equals(deltaType)) {
                    Integer toolIndex = toolIndexByBlock.get(data.path("index").asInt());
                    if (toolIndex == null) {
                        return Translated.nothing();
                    }
                    ObjectNode d = json.createObjectNode();
                    ObjectNode call = d.putArray("tool_calls").addObject();
                    call.put("index", toolIndex);
                    call.putObject("function").put("arguments", delta.path("partial_json").asString(""));
                    return Translated.of(chunk(d, null));
                }
                return Translated.nothing();
            }
            case "message_delta" -> {
                readUsage(data.get("usage"));
                finalOutputSeen = data.path("usage").has("output_tokens");
                String finish = finishReason(data.path("delta").path("stop_reason").asString(null));
                return new Translated(chunk(json.createObjectNode(), finish), usageSeen ? usageSoFar() : null, false, null);
            }
            case "message_stop" -> {
                return new Translated(chunks.end(clientWantsUsage ? usageJson() : null), usageSeen ? usageSoFar() : null, true, null);
            }
            case "error" -> {
                JsonNode error = data.path("error");
                String errorType = error.path("type").asString("");
                String message = providerName + " failed mid-stream: " + error.path("message").asString(errorType);
                UpstreamFailure failure = switch (errorType) {
                    case "overloaded_error" -> new UpstreamFailure(503, "server_error", "upstream_unavailable", message, null);
                    case "rate_limit_error" -> new UpstreamFailure(429, "rate_limit_error", "rate_limit_exceeded", message, null);
                    default -> new UpstreamFailure(502, "server_error", "upstream_error", message, null);
                };
                return new Translated(new byte[0], null, false, failure);
            }
            default -> {
                return Translated.nothing(); // ping, content_block_stop, and event types added later
            }
        }
    }

    private byte[] chunk(ObjectNode delta, String finishReason) {
        return chunks.chunk(delta, finishReason);
    }

    // ---------------------------------------------------------------- usage and errors

    private void readUsage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return;
        }
        usageSeen = true;
        if (usage.has("input_tokens")) {
            inputTokens = usage.path("input_tokens").asLong(inputTokens);
        }
        if (usage.has("cache_read_input_tokens")) {
            cacheReadTokens = usage.path("cache_read_input_tokens").asLong(cacheReadTokens);
        }
        if (usage.has("cache_creation_input_tokens")) {
            cacheCreationTokens = usage.path("cache_creation_input_tokens").asLong(cacheCreationTokens);
        }
        if (usage.has("output_tokens")) {
            outputTokens = usage.path("output_tokens").asLong(outputTokens);
        }
    }

    private ObjectNode usageJson() {
        return CanonicalChunks.usage(json, usageSoFar(), true);
    }

    @Override
    public UpstreamFailure error(int status, byte[] body, String retryAfter) {
        String message = null;
        try {
            JsonNode node = json.readTree(body);
            if (node != null && node.isObject()) {
                JsonNode m = node.path("error").get("message");
                message = m != null && m.isString() ? m.asString() : null;
            }
        } catch (JacksonException | IllegalArgumentException e) {
            // not JSON: the status alone
        }
        return UpstreamFailures.forStatus(providerName, status, message, retryAfter);
    }

    @Override
    public TokenUsage usageSoFar() {
        long completion = finalOutputSeen ? outputTokens : Math.max(outputTokens, textDeltas);
        return new TokenUsage(inputTokens + cacheReadTokens + cacheCreationTokens, completion, cacheReadTokens);
    }

    @Override
    public boolean usageReported() {
        return usageSeen;
    }
}
