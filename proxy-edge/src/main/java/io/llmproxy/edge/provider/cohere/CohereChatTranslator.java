package io.llmproxy.edge.provider.cohere;

import io.llmproxy.edge.provider.CanonicalChunks;
import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.TokenUsage;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.provider.UpstreamFailures;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.stream.SseEvent;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Canonical (OpenAI chat) ⇄ Cohere Chat API v2, {@code POST /v2/chat} with {@code Authorization: Bearer}
 * (https://docs.cohere.com/reference/chat, stream: https://docs.cohere.com/reference/chat-stream and
 * https://docs.cohere.com/docs/tool-use-streaming).
 *
 * <p>Request: {@code messages} keep OpenAI's shape, which v2 shares (roles {@code system}, {@code user},
 * {@code assistant} with {@code tool_calls}, {@code tool} with {@code tool_call_id}; text and
 * {@code image_url} parts); {@code developer} → {@code system}; {@code tools} pass as they are.
 * {@code max_tokens} ← {@code max_completion_tokens} else {@code max_tokens}; {@code p} ← {@code top_p};
 * {@code stop_sequences} ← {@code stop}; {@code temperature}, {@code seed}, {@code frequency_penalty},
 * {@code presence_penalty} as they are; {@code tool_choice} {@code required}/{@code none} →
 * {@code REQUIRED}/{@code NONE}; {@code response_format} {@code json_object} / {@code json_schema}
 * → {@code {"type":"json_object","json_schema"?}}.
 *
 * <p>Response: {@code message.content[].text} joined, {@code message.tool_calls} as they are,
 * {@code finish_reason} {@code COMPLETE}/{@code STOP_SEQUENCE} → {@code stop}, {@code MAX_TOKENS} →
 * {@code length}, {@code TOOL_CALL} → {@code tool_calls}, {@code ERROR}/{@code TIMEOUT} → an error;
 * usage from {@code usage.billed_units} (what Cohere bills) else {@code usage.tokens}
 * ({@code input_tokens}, {@code output_tokens}).
 *
 * <p>Stream (SSE, the type in {@code event:} and in the data's {@code type}): {@code message-start}
 * → role chunk; {@code content-delta} ({@code delta.message.content.text}) → content chunk;
 * {@code tool-call-start} → a {@code tool_calls} delta with {@code index}, {@code id}, {@code type},
 * {@code function.name} and the first arguments; {@code tool-call-delta} → the same index with more
 * {@code function.arguments}; {@code message-end} → finish chunk, the usage chunk when the client asked
 * for it, {@code [DONE]}. {@code content-start}, {@code content-end}, {@code tool-plan-delta},
 * {@code tool-call-end} and citation events send nothing. Errors are {@code {"message":"…"}}.
 */
final class CohereChatTranslator implements ChatTranslator {

    private final JsonMapper json;
    private final boolean stream;
    private final boolean clientWantsUsage;
    /** the canonical chunks' header: a random id until {@code message-start} names one, created = now */
    private final CanonicalChunks chunks;
    private String providerName = "provider";
    private String model = "";
    private TokenUsage reported;
    private long contentDeltas;
    private int toolCalls;
    private boolean roleSent;

    CohereChatTranslator(JsonMapper json, boolean stream, boolean clientWantsUsage) {
        this.json = json;
        this.stream = stream;
        this.clientWantsUsage = clientWantsUsage;
        this.chunks = new CanonicalChunks(json,
                "chatcmpl-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()),
                Instant.now().getEpochSecond(), "", false);
    }

    @Override
    public UpstreamRequest request(ObjectNode request, ProviderEntry provider, String providerModel) {
        this.providerName = provider.name();
        this.model = providerModel;
        chunks.model(providerModel);
        ObjectNode body = json.createObjectNode();
        body.put("model", providerModel);
        ArrayNode messages = body.putArray("messages");
        for (JsonNode message : request.path("messages")) {
            if (!(message instanceof ObjectNode object)) {
                continue;
            }
            ObjectNode out = object.deepCopy();
            if ("developer".equals(out.path("role").asString(""))) {
                out.put("role", "system");
            }
            if (out.has("content") && out.get("content").isNull()) {
                out.remove("content");
            }
            out.remove("name");
            messages.add(out);
        }
        JsonNode tools = request.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            body.set("tools", tools);
        }
        JsonNode toolChoice = request.get("tool_choice");
        if (toolChoice != null && toolChoice.isString() && ("required".equals(toolChoice.asString()) || "none".equals(toolChoice.asString()))) {
            body.put("tool_choice", toolChoice.asString().toUpperCase(java.util.Locale.ROOT));
        }
        JsonNode max = request.has("max_completion_tokens") ? request.get("max_completion_tokens") : request.get("max_tokens");
        if (max != null && max.isNumber()) {
            body.put("max_tokens", max.asLong());
        }
        copy(request, "temperature", body, "temperature");
        copy(request, "top_p", body, "p");
        copy(request, "seed", body, "seed");
        copy(request, "frequency_penalty", body, "frequency_penalty");
        copy(request, "presence_penalty", body, "presence_penalty");
        JsonNode stop = request.get("stop");
        if (stop != null && stop.isString()) {
            body.putArray("stop_sequences").add(stop.asString());
        } else if (stop != null && stop.isArray()) {
            body.set("stop_sequences", stop);
        }
        JsonNode format = request.path("response_format");
        String formatType = format.path("type").asString("");
        if ("json_object".equals(formatType) || "json_schema".equals(formatType)) {
            ObjectNode rf = body.putObject("response_format");
            rf.put("type", "json_object");
            if (format.path("json_schema").has("schema")) {
                rf.set("json_schema", format.path("json_schema").get("schema"));
            }
        }
        body.put("stream", stream);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + provider.apiKey());
        headers.put("Content-Type", "application/json");
        headers.put("Accept", stream ? "text/event-stream" : "application/json");
        return new UpstreamRequest(CohereUrls.v2(provider.baseUrl(), "chat"), headers, json.writeValueAsBytes(body));
    }

    private static void copy(JsonNode from, String field, ObjectNode to, String as) {
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
        reported = usageOf(node.path("usage"));
        String finish = node.path("finish_reason").asString("COMPLETE");
        if ("ERROR".equals(finish) || "TIMEOUT".equals(finish)) {
            return new Translated(new byte[0], reported, false, new UpstreamFailure(502, "server_error", "upstream_error",
                    providerName + " ended the generation with finish_reason " + finish, null));
        }
        ObjectNode out = json.createObjectNode();
        out.put("id", node.has("id") ? "chatcmpl-" + node.get("id").asString() : chunks.id());
        out.put("object", "chat.completion");
        out.put("created", chunks.created());
        out.put("model", model);
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        StringBuilder text = new StringBuilder();
        for (JsonNode part : node.path("message").path("content")) {
            if ("text".equals(part.path("type").asString("text"))) {
                text.append(part.path("text").asString(""));
            }
        }
        JsonNode calls = node.path("message").get("tool_calls");
        boolean hasCalls = calls != null && calls.isArray() && !calls.isEmpty();
        if (hasCalls && text.isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", text.toString());
        }
        if (hasCalls) {
            ArrayNode outCalls = message.putArray("tool_calls");
            for (JsonNode call : calls) {
                ObjectNode c = outCalls.addObject();
                c.put("id", call.path("id").asString(""));
                c.put("type", "function");
                ObjectNode f = c.putObject("function");
                f.put("name", call.path("function").path("name").asString(""));
                JsonNode args = call.path("function").get("arguments");
                f.put("arguments", args == null || args.isNull() ? "{}" : args.isString() ? args.asString() : json.writeValueAsString(args));
            }
        }
        choice.put("finish_reason", finishReason(finish));
        out.set("usage", usageJson(usageSoFar()));
        return new Translated(json.writeValueAsBytes(out), reported, true, null);
    }

    @Override
    public Translated streamEvent(SseEvent event) {
        JsonNode data;
        try {
            data = json.readTree(event.data());
        } catch (JacksonException e) {
            return new Translated(new byte[0], null, false, UpstreamFailures.unreadable(providerName, "a stream event that is not JSON"));
        }
        String type = data.path("type").asString(event.event() == null ? "" : event.event());
        JsonNode message = data.path("delta").path("message");
        switch (type) {
            case "message-start" -> {
                if (data.has("id")) {
                    chunks.id("chatcmpl-" + data.get("id").asString());
                }
                return Translated.of(roleChunk());
            }
            case "content-delta" -> {
                String text = message.path("content").path("text").asString("");
                if (text.isEmpty()) {
                    return Translated.nothing();
                }
                contentDeltas++;
                ObjectNode delta = json.createObjectNode();
                delta.put("content", text);
                return Translated.of(prefixRole(chunk(delta, null)));
            }
            case "tool-call-start" -> {
                JsonNode call = message.path("tool_calls");
                ObjectNode delta = json.createObjectNode();
                ObjectNode c = delta.putArray("tool_calls").addObject();
                c.put("index", toolCalls++);
                c.put("id", call.path("id").asString(""));
                c.put("type", "function");
                ObjectNode f = c.putObject("function");
                f.put("name", call.path("function").path("name").asString(""));
                f.put("arguments", call.path("function").path("arguments").asString(""));
                return Translated.of(prefixRole(chunk(delta, null)));
            }
            case "tool-call-delta" -> {
                String arguments = message.path("tool_calls").path("function").path("arguments").asString("");
                if (arguments.isEmpty() || toolCalls == 0) {
                    return Translated.nothing();
                }
                ObjectNode delta = json.createObjectNode();
                ObjectNode c = delta.putArray("tool_calls").addObject();
                c.put("index", toolCalls - 1);
                c.putObject("function").put("arguments", arguments);
                return Translated.of(chunk(delta, null));
            }
            case "message-end" -> {
                JsonNode delta = data.path("delta");
                TokenUsage usage = usageOf(delta.path("usage"));
                if (usage != null) {
                    reported = usage;
                }
                String finish = delta.path("finish_reason").asString("COMPLETE");
                if ("ERROR".equals(finish) || "TIMEOUT".equals(finish)) {
                    String detail = delta.path("error").asString(null);
                    return new Translated(new byte[0], usage, false, UpstreamFailures.midStream(providerName,
                            "finish_reason " + finish + (detail == null ? "" : " (" + detail + ")")));
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream(256);
                out.writeBytes(prefixRole(chunk(json.createObjectNode(), finishReason(finish))));
                out.writeBytes(chunks.end(clientWantsUsage ? usageJson(usageSoFar()) : null));
                return new Translated(out.toByteArray(), usage, true, null);
            }
            default -> {
                return Translated.nothing();
            }
        }
    }

    private byte[] roleChunk() {
        roleSent = true;
        return chunks.chunk(chunks.roleDelta(), null);
    }

    /** Adds the role chunk in front of the first chunk when the provider sent no {@code message-start}. */
    private byte[] prefixRole(byte[] chunk) {
        if (roleSent) {
            return chunk;
        }
        byte[] role = roleChunk();
        byte[] both = new byte[role.length + chunk.length];
        System.arraycopy(role, 0, both, 0, role.length);
        System.arraycopy(chunk, 0, both, role.length, chunk.length);
        return both;
    }

    private byte[] chunk(ObjectNode delta, String finishReason) {
        return chunks.chunk(delta, finishReason);
    }

    /** Cohere finish reason → OpenAI's. */
    static String finishReason(String cohere) {
        return switch (cohere) {
            case "MAX_TOKENS" -> "length";
            case "TOOL_CALL" -> "tool_calls";
            default -> "stop";
        };
    }

    private static TokenUsage usageOf(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return null;
        }
        JsonNode units = usage.path("billed_units");
        JsonNode counts = units.isObject() && (units.has("input_tokens") || units.has("output_tokens")) ? units : usage.path("tokens");
        if (!counts.isObject()) {
            return null;
        }
        return new TokenUsage(counts.path("input_tokens").asLong(0), counts.path("output_tokens").asLong(0));
    }

    private ObjectNode usageJson(TokenUsage u) {
        return CanonicalChunks.usage(json, u, false);
    }

    @Override
    public UpstreamFailure error(int status, byte[] body, String retryAfter) {
        return UpstreamFailures.forStatus(providerName, status, CohereUrls.errorMessage(json, body), retryAfter);
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
