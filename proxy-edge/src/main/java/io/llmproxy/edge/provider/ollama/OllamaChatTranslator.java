package io.llmproxy.edge.provider.ollama;

import io.llmproxy.edge.provider.CanonicalChunks;
import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.StreamFraming;
import io.llmproxy.edge.provider.TokenUsage;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UnsupportedRequestException;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.provider.UpstreamFailures;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.stream.SseEvent;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Canonical (OpenAI chat) ⇄ Ollama's native chat API, {@code POST /api/chat}
 * (https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion).
 *
 * <p>Request: {@code messages} keep their roles ({@code developer} → {@code system}); multi-part
 * content becomes the text parts joined by {@code "\n"} plus {@code images} (base64, from
 * {@code data:} URLs only: an {@code http(s)} image URL throws {@link UnsupportedRequestException},
 * Ollama cannot fetch it); assistant {@code tool_calls} get their {@code arguments} as a JSON object;
 * {@code tool} messages get {@code tool_name} from the call they answer. {@code tools} pass as they
 * are (same shape). {@code options}: {@code temperature}, {@code top_p}, {@code seed},
 * {@code presence_penalty}, {@code frequency_penalty}, {@code stop} (string or list → list),
 * {@code num_predict} ← {@code max_completion_tokens} else {@code max_tokens}. {@code response_format}
 * {@code json_object} → {@code "format":"json"}, {@code json_schema} → {@code format} = the schema.
 * {@code stream} is always sent (Ollama streams by default).
 *
 * <p>Response: {@code message.content} / {@code message.tool_calls} (arguments object → JSON string;
 * Ollama has no call ids, so each gets a stable {@code call_<hash>} id), {@code done_reason}
 * {@code length} → {@code length}, tool calls → {@code tool_calls}, otherwise {@code stop}; usage
 * {@code prompt_eval_count} → {@code prompt_tokens}, {@code eval_count} → {@code completion_tokens}.
 * The stream is NDJSON ({@link StreamFraming#NDJSON}): every line becomes one
 * {@code chat.completion.chunk} SSE event, the {@code "done":true} line the finish chunk (plus the
 * usage chunk when the client asked for {@code stream_options.include_usage}) and {@code [DONE]};
 * a line {@code {"error":"…"}} is a mid-stream failure. Errors are {@code {"error":"…"}}.
 *
 * <p>Auth: Ollama has none; the provider credential is sent as {@code Authorization: Bearer} only
 * when it is set (for an Ollama behind an authenticating proxy).
 */
final class OllamaChatTranslator implements ChatTranslator {

    private final JsonMapper json;
    private final boolean stream;
    private final boolean clientWantsUsage;
    /** the canonical chunks' header: one random id; created and model from each NDJSON line */
    private final CanonicalChunks chunks;
    private String providerName = "provider";
    private String model = "";
    private TokenUsage reported;
    private long contentDeltas;
    private int toolCalls;
    private boolean roleSent;

    OllamaChatTranslator(JsonMapper json, boolean stream, boolean clientWantsUsage) {
        this.json = json;
        this.stream = stream;
        this.clientWantsUsage = clientWantsUsage;
        this.chunks = new CanonicalChunks(json,
                "chatcmpl-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()), 0, "", false);
    }

    @Override
    public StreamFraming framing() {
        return StreamFraming.NDJSON;
    }

    @Override
    public UpstreamRequest request(ObjectNode request, ProviderEntry provider, String providerModel) {
        this.providerName = provider.name();
        this.model = providerModel;
        ObjectNode body = json.createObjectNode();
        body.put("model", providerModel);
        ArrayNode messages = body.putArray("messages");
        Map<String, String> toolNames = new HashMap<>();
        for (JsonNode message : request.path("messages")) {
            messages.add(message(message, toolNames));
        }
        JsonNode tools = request.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            body.set("tools", tools);
        }
        JsonNode format = request.path("response_format");
        if ("json_object".equals(format.path("type").asString(""))) {
            body.put("format", "json");
        } else if ("json_schema".equals(format.path("type").asString("")) && format.path("json_schema").has("schema")) {
            body.set("format", format.path("json_schema").get("schema"));
        }
        ObjectNode options = json.createObjectNode();
        copyNumber(request, "temperature", options, "temperature");
        copyNumber(request, "top_p", options, "top_p");
        copyNumber(request, "seed", options, "seed");
        copyNumber(request, "presence_penalty", options, "presence_penalty");
        copyNumber(request, "frequency_penalty", options, "frequency_penalty");
        JsonNode max = request.has("max_completion_tokens") ? request.get("max_completion_tokens") : request.get("max_tokens");
        if (max != null && max.isNumber()) {
            options.put("num_predict", max.asLong());
        }
        JsonNode stop = request.get("stop");
        if (stop != null && stop.isString()) {
            options.putArray("stop").add(stop.asString());
        } else if (stop != null && stop.isArray()) {
            options.set("stop", stop);
        }
        if (!options.isEmpty()) {
            body.set("options", options);
        }
        body.put("stream", stream);
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        if (provider.apiKey() != null && !provider.apiKey().isBlank()) {
            headers.put("Authorization", "Bearer " + provider.apiKey());
        }
        headers.put("Content-Type", "application/json");
        headers.put("Accept", stream ? "application/x-ndjson" : "application/json");
        return new UpstreamRequest(OllamaUrls.api(provider.baseUrl(), "chat"), headers, json.writeValueAsBytes(body));
    }

    private ObjectNode message(JsonNode message, Map<String, String> toolNames) {
        ObjectNode out = json.createObjectNode();
        String role = message.path("role").asString("user");
        out.put("role", "developer".equals(role) ? "system" : role);
        JsonNode content = message.get("content");
        if (content != null && content.isArray()) {
            StringBuilder text = new StringBuilder();
            ArrayNode images = null;
            for (JsonNode part : content) {
                String type = part.path("type").asString("");
                if ("text".equals(type)) {
                    if (!text.isEmpty()) {
                        text.append('\n');
                    }
                    text.append(part.path("text").asString(""));
                } else if ("image_url".equals(type)) {
                    String url = part.path("image_url").path("url").asString("");
                    int comma = url.indexOf(',');
                    if (!url.startsWith("data:") || comma < 0 || !url.substring(0, comma).endsWith(";base64")) {
                        throw new UnsupportedRequestException("Provider '" + providerName + "' (ollama) takes images only "
                                + "inline as base64 data: URLs, not image URLs it would have to fetch.", "messages");
                    }
                    if (images == null) {
                        images = json.createArrayNode();
                    }
                    images.add(url.substring(comma + 1));
                } else {
                    throw new UnsupportedRequestException("Provider '" + providerName + "' (ollama) cannot take content parts of type '"
                            + type + "'.", "messages");
                }
            }
            out.put("content", text.toString());
            if (images != null) {
                out.set("images", images);
            }
        } else {
            out.put("content", content != null && content.isString() ? content.asString() : "");
        }
        JsonNode calls = message.get("tool_calls");
        if (calls != null && calls.isArray() && !calls.isEmpty()) {
            ArrayNode outCalls = out.putArray("tool_calls");
            for (JsonNode call : calls) {
                String name = call.path("function").path("name").asString("");
                toolNames.put(call.path("id").asString(""), name);
                ObjectNode function = outCalls.addObject().putObject("function");
                function.put("name", name);
                String arguments = call.path("function").path("arguments").asString("{}");
                try {
                    function.set("arguments", json.readTree(arguments.isBlank() ? "{}" : arguments));
                } catch (JacksonException e) {
                    throw new UnsupportedRequestException("Tool call arguments must be a JSON object for provider '"
                            + providerName + "' (ollama).", "messages");
                }
            }
        }
        if ("tool".equals(role)) {
            String name = toolNames.get(message.path("tool_call_id").asString(""));
            if (name != null) {
                out.put("tool_name", name);
            }
        }
        return out;
    }

    private static void copyNumber(JsonNode from, String field, ObjectNode to, String as) {
        JsonNode value = from.get(field);
        if (value != null && value.isNumber()) {
            to.set(as, value);
        }
    }

    @Override
    public Translated response(byte[] body) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JacksonException e) {
            return new Translated(new byte[0], null, false, UpstreamFailures.unreadable(providerName, "a response that is not JSON"));
        }
        if (node.has("error")) {
            return new Translated(new byte[0], null, false, UpstreamFailures.midStream(providerName, node.path("error").asString(null)));
        }
        reported = usageOf(node);
        ObjectNode out = json.createObjectNode();
        out.put("id", chunks.id());
        out.put("object", "chat.completion");
        out.put("created", created(node));
        out.put("model", node.path("model").asString(model));
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", node.path("message").path("content").asString(""));
        JsonNode calls = node.path("message").get("tool_calls");
        if (calls != null && calls.isArray() && !calls.isEmpty()) {
            ArrayNode outCalls = message.putArray("tool_calls");
            for (JsonNode call : calls) {
                outCalls.add(toolCall(call, toolCalls++, false));
            }
        }
        choice.put("finish_reason", finishReason(node));
        out.set("usage", usageJson(reported));
        return new Translated(json.writeValueAsBytes(out), reported, true, null);
    }

    @Override
    public Translated streamEvent(SseEvent event) {
        JsonNode line;
        try {
            line = json.readTree(event.data());
        } catch (JacksonException e) {
            return new Translated(new byte[0], null, false, UpstreamFailures.unreadable(providerName, "a stream line that is not JSON"));
        }
        if (line.has("error")) {
            return new Translated(new byte[0], null, false, UpstreamFailures.midStream(providerName, line.path("error").asString(null)));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        chunks.created(created(line));
        chunks.model(line.path("model").asString(model));
        JsonNode message = line.path("message");
        String content = message.path("content").asString("");
        JsonNode calls = message.get("tool_calls");
        boolean hasCalls = calls != null && calls.isArray() && !calls.isEmpty();
        if (!content.isEmpty() || hasCalls || !roleSent) {
            ObjectNode delta = json.createObjectNode();
            if (!roleSent) {
                delta.put("role", "assistant");
                roleSent = true;
            }
            if (!content.isEmpty() || !hasCalls) {
                delta.put("content", content);
            }
            if (!content.isEmpty()) {
                contentDeltas++;
            }
            if (hasCalls) {
                ArrayNode outCalls = delta.putArray("tool_calls");
                for (JsonNode call : calls) {
                    outCalls.add(toolCall(call, toolCalls++, true));
                }
            }
            out.writeBytes(chunks.chunk(delta, null));
        }
        if (!line.path("done").asBoolean(false)) {
            return Translated.of(out.toByteArray());
        }
        reported = usageOf(line);
        out.writeBytes(chunks.chunk(json.createObjectNode(), finishReason(line)));
        out.writeBytes(chunks.end(clientWantsUsage ? usageJson(reported) : null));
        return new Translated(out.toByteArray(), reported, true, null);
    }

    /**
     * @param streamed a stream delta: carries {@code index}
     * @return an OpenAI tool call; id {@code call_} + 24 hex digits of SHA-256(index, name, arguments)
     */
    private ObjectNode toolCall(JsonNode call, int index, boolean streamed) {
        ObjectNode out = json.createObjectNode();
        if (streamed) {
            out.put("index", index);
        }
        JsonNode function = call.path("function");
        String name = function.path("name").asString("");
        JsonNode args = function.get("arguments");
        String arguments = args == null || args.isNull() ? "{}" : args.isString() ? args.asString() : json.writeValueAsString(args);
        out.put("id", OllamaUrls.callId(index, name, arguments));
        out.put("type", "function");
        ObjectNode f = out.putObject("function");
        f.put("name", name);
        f.put("arguments", arguments);
        return out;
    }

    private String finishReason(JsonNode node) {
        if (toolCalls > 0) {
            return "tool_calls";
        }
        return "length".equals(node.path("done_reason").asString("")) ? "length" : "stop";
    }

    private static long created(JsonNode node) {
        String at = node.path("created_at").asString("");
        try {
            return at.isEmpty() ? Instant.now().getEpochSecond() : Instant.parse(at).getEpochSecond();
        } catch (DateTimeParseException e) {
            return Instant.now().getEpochSecond();
        }
    }

    private static TokenUsage usageOf(JsonNode node) {
        if (!node.has("prompt_eval_count") && !node.has("eval_count")) {
            return null;
        }
        return new TokenUsage(node.path("prompt_eval_count").asLong(0), node.path("eval_count").asLong(0));
    }

    private ObjectNode usageJson(TokenUsage usage) {
        return CanonicalChunks.usage(json, usage == null ? usageSoFar() : usage, false);
    }

    @Override
    public UpstreamFailure error(int status, byte[] body, String retryAfter) {
        String message = null;
        try {
            message = json.readTree(body).path("error").asString(null);
        } catch (JacksonException | IllegalArgumentException e) {
            // not JSON: the status only
        }
        return UpstreamFailures.forStatus(providerName, status, message, retryAfter);
    }

    @Override
    public TokenUsage usageSoFar() {
        return reported != null ? reported : new TokenUsage(0, contentDeltas);
    }

    @Override
    public boolean usageReported() {
        return reported != null;
    }
}
