package io.llmproxy.edge.api.anthropic;

import io.llmproxy.edge.chat.CanonicalRequest;
import io.llmproxy.edge.chat.ClientCodec;
import io.llmproxy.edge.chat.ClientRequestException;
import io.llmproxy.edge.gateway.GatewayError;
import io.llmproxy.edge.chat.ReencodingCodec;
import io.llmproxy.edge.chat.RequestChecks;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.stream.SseDecoder;
import io.llmproxy.edge.stream.SseEncoder;
import io.llmproxy.edge.stream.SseEvent;
import java.io.ByteArrayOutputStream;
import java.util.function.UnaryOperator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Anthropic Messages client format, {@code POST /v1/messages}
 * (https://docs.anthropic.com/en/api/messages, streaming: https://docs.anthropic.com/en/api/messages-streaming,
 * errors: https://docs.anthropic.com/en/api/errors).
 *
 * <p><b>Request → canonical</b> (OpenAI chat): {@code system} (string or text blocks) → a first
 * {@code system} message; {@code text} blocks → text parts; {@code image} blocks → {@code image_url}
 * parts (base64 source → {@code data:} URL, url source → the URL); assistant {@code tool_use} blocks →
 * {@code tool_calls} (input serialized as the {@code arguments} string); user {@code tool_result}
 * blocks → {@code role:"tool"} messages placed before the rest of that user turn (their text
 * joined); {@code tools[{name,description,input_schema}]} → function tools; {@code tool_choice}
 * auto/any/tool/none → {@code "auto"}/{@code "required"}/function/{@code "none"},
 * {@code disable_parallel_tool_use} → {@code parallel_tool_calls:false}; {@code max_tokens},
 * {@code temperature}, {@code top_p}, {@code stop_sequences} → {@code stop}, {@code metadata.user_id}
 * → {@code user}. Dropped: {@code top_k}, {@code thinking}, {@code service_tier} (the canonical model
 * has no equivalent). Refused with 400: a missing {@code model}/{@code max_tokens}/{@code messages},
 * {@code document} blocks and server tools (tools with a {@code type} other than {@code custom}).
 *
 * <p><b>Canonical → response</b>: {@code {"id","type":"message","role":"assistant","content":[text…,
 * tool_use…],"model","stop_reason","stop_sequence":null,"usage":{"input_tokens","output_tokens",
 * "cache_creation_input_tokens":0,"cache_read_input_tokens"}}}, with {@code finish_reason} stop→{@code end_turn}, length→{@code max_tokens},
 * tool_calls→{@code tool_use}, content_filter→{@code refusal}; {@code input_tokens} excludes the cached
 * prompt tokens, which are {@code cache_read_input_tokens} (Anthropic counts them apart).
 *
 * <p><b>Stream</b>: {@code message_start} (usage {@code input_tokens} 0: the canonical stream reports
 * usage only at its end), {@code ping}, then per block {@code content_block_start},
 * {@code content_block_delta} ({@code text_delta} / {@code input_json_delta} carrying each OpenAI
 * {@code arguments} piece as it arrives), {@code content_block_stop}; at the end
 * {@code message_delta} ({@code stop_reason}, usage {@code input_tokens} and {@code output_tokens})
 * and {@code message_stop}. A failure after the first byte ends the stream with {@code event: error}.
 *
 * <p><b>Errors</b>: {@code {"type":"error","error":{"type","message"}}}, type by status: 400
 * {@code invalid_request_error}, 401 {@code authentication_error}, 403 {@code permission_error},
 * 404 {@code not_found_error}, 413 {@code request_too_large}, 429 {@code rate_limit_error}, 503
 * {@code overloaded_error}, other 5xx {@code api_error}.
 *
 * <p>Authentication: {@code x-api-key: <key>} or {@code Authorization: Bearer <key>}.
 */
public final class AnthropicMessagesCodec extends ReencodingCodec {

    /** The usage event's endpoint name. */
    public static final String ENDPOINT = "messages";

    private boolean started;
    private boolean finished;
    private int nextBlock;
    /** open block: 0 none, 1 text, 2 tool_use */
    private int openBlock;
    private int openToolIndex = -1;
    private String stopReason;
    private long promptTokens;
    private long completionTokens;
    private long cachedTokens;
    private String id = "msg_llmproxy";
    private String model = "";

    public AnthropicMessagesCodec(JsonMapper json) {
        super(json);
    }

    @Override
    public String endpoint() {
        return ENDPOINT;
    }

    @Override
    public String authorization(UnaryOperator<String> header) {
        String apiKey = header.apply("x-api-key");
        if (apiKey != null && !apiKey.isBlank()) {
            return "Bearer " + apiKey.strip();
        }
        return header.apply("Authorization");
    }

    @Override
    public String missingKeyMessage() {
        return "x-api-key header is required (or Authorization: Bearer <key>)";
    }

    @Override
    public CanonicalRequest canonical(byte[] bytes) {
        ObjectNode in = RequestChecks.object(json, bytes, "The request body must be a JSON object.",
                "The request body is not valid JSON.");
        String model = RequestChecks.model(in, "model: Field required");
        JsonNode maxTokens = in.get("max_tokens");
        if (maxTokens == null || !maxTokens.isInt() || maxTokens.asInt() < 1) {
            throw new ClientRequestException("max_tokens: Field required (an integer from 1 to 2147483647)", "max_tokens");
        }
        JsonNode messages = RequestChecks.nonEmptyArray(in, "messages", "messages: at least one message is required");
        boolean stream = RequestChecks.optionalBoolean(in, "stream", false, "stream: Input should be a valid boolean");

        ObjectNode out = json.createObjectNode();
        out.put("model", model);
        ArrayNode canonicalMessages = out.putArray("messages");
        JsonNode system = in.get("system");
        if (system != null && !system.isNull()) {
            String text = system.isString() ? system.asString() : joinText(system, "system");
            canonicalMessages.addObject().put("role", "system").put("content", text);
        }
        for (JsonNode message : messages) {
            addMessage(canonicalMessages, message);
        }
        out.put("max_tokens", maxTokens.asLong());
        copyNumber(in, "temperature", out, "temperature");
        copyNumber(in, "top_p", out, "top_p");
        JsonNode stops = in.get("stop_sequences");
        if (stops != null && stops.isArray() && !stops.isEmpty()) {
            out.set("stop", stops.deepCopy());
        }
        JsonNode user = in.path("metadata").get("user_id");
        if (user != null && user.isString()) {
            out.put("user", user.asString());
        }
        JsonNode tools = in.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            ArrayNode functions = out.putArray("tools");
            for (JsonNode tool : tools) {
                String type = tool.path("type").asString("custom");
                if (!"custom".equals(type) || !tool.path("name").isString()) {
                    throw new ClientRequestException("tools: only custom tools with a name and input_schema are supported "
                            + "by this gateway (got type '" + type + "')", "tools");
                }
                ObjectNode function = functions.addObject().put("type", "function").putObject("function");
                function.put("name", tool.get("name").asString());
                if (tool.path("description").isString()) {
                    function.put("description", tool.get("description").asString());
                }
                if (tool.has("input_schema") && !tool.get("input_schema").isObject()) {
                    throw new ClientRequestException("tools: input_schema must be a JSON Schema object", "tools");
                }
                function.set("parameters", tool.has("input_schema") ? tool.get("input_schema").deepCopy()
                        : json.createObjectNode().put("type", "object"));
            }
        }
        JsonNode choice = in.get("tool_choice");
        if (choice != null && choice.isObject()) {
            switch (choice.path("type").asString("")) {
                case "auto" -> out.put("tool_choice", "auto");
                case "any" -> out.put("tool_choice", "required");
                case "none" -> out.put("tool_choice", "none");
                case "tool" -> out.putObject("tool_choice").put("type", "function").putObject("function")
                        .put("name", requiredText(choice, "name", "tool_choice.name: Field required for type tool", "tool_choice"));
                default -> throw new ClientRequestException("tool_choice.type must be auto, any, tool or none", "tool_choice");
            }
            if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
                out.put("parallel_tool_calls", false);
            }
        }
        if (stream) {
            out.put("stream", true);
            out.putObject("stream_options").put("include_usage", true);
        }
        return new CanonicalRequest(out, model, stream, true);
    }

    private void addMessage(ArrayNode out, JsonNode message) {
        String role = message.path("role").asString("");
        if (!"user".equals(role) && !"assistant".equals(role)) {
            throw new ClientRequestException("messages: role must be 'user' or 'assistant'", "messages");
        }
        JsonNode content = message.get("content");
        if (content != null && content.isString()) {
            out.addObject().put("role", role).put("content", content.asString());
            return;
        }
        if (content == null || !content.isArray()) {
            throw new ClientRequestException("messages: content must be a string or an array of content blocks", "messages");
        }
        ArrayNode parts = json.createArrayNode();
        ArrayNode toolCalls = json.createArrayNode();
        StringBuilder assistantText = new StringBuilder();
        for (JsonNode block : content) {
            String type = block.path("type").asString("");
            switch (type) {
                case "text" -> {
                    String text = requiredText(block, "text", "messages: a text block needs a string 'text'", "messages");
                    if ("assistant".equals(role)) {
                        assistantText.append(text);
                    } else {
                        parts.addObject().put("type", "text").put("text", text);
                    }
                }
                case "image" -> {
                    JsonNode source = block.path("source");
                    String url = switch (source.path("type").asString("")) {
                        case "base64" -> "data:" + requiredText(source, "media_type",
                                "messages: a base64 image needs source.media_type", "messages") + ";base64,"
                                + requiredText(source, "data", "messages: a base64 image needs source.data", "messages");
                        case "url" -> {
                            String u = requiredText(source, "url", "messages: a url image needs source.url", "messages");
                            if (!u.startsWith("https://") && !u.startsWith("http://")) {
                                throw new ClientRequestException("messages: an image url must be http(s)", "messages");
                            }
                            yield u;
                        }
                        default -> throw new ClientRequestException("image source type must be base64 or url", "messages");
                    };
                    parts.addObject().put("type", "image_url").putObject("image_url").put("url", url);
                }
                case "tool_use" -> {
                    ObjectNode call = toolCalls.addObject();
                    call.put("id", block.path("id").asString(""));
                    call.put("type", "function");
                    call.putObject("function").put("name", block.path("name").asString(""))
                            .put("arguments", json.writeValueAsString(block.has("input") ? block.get("input")
                                    : json.createObjectNode()));
                }
                case "tool_result" -> {
                    JsonNode result = block.get("content");
                    String text = result == null || result.isNull() ? ""
                            : result.isString() ? result.asString() : joinText(result, "tool_result");
                    out.addObject().put("role", "tool").put("tool_call_id", block.path("tool_use_id").asString(""))
                            .put("content", text);
                }
                case "thinking", "redacted_thinking" -> {
                    // no canonical equivalent: dropped
                }
                default -> throw new ClientRequestException("content block type '" + type
                        + "' is not supported by this gateway", "messages");
            }
        }
        if ("assistant".equals(role)) {
            ObjectNode m = out.addObject().put("role", "assistant");
            if (assistantText.isEmpty() && !toolCalls.isEmpty()) {
                m.putNull("content");
            } else {
                m.put("content", assistantText.toString());
            }
            if (!toolCalls.isEmpty()) {
                m.set("tool_calls", toolCalls);
            }
        } else if (!parts.isEmpty()) {
            ObjectNode m = out.addObject().put("role", "user");
            boolean textOnly = true;
            for (JsonNode part : parts) {
                textOnly &= "text".equals(part.path("type").asString());
            }
            if (textOnly && parts.size() == 1) {
                m.put("content", parts.get(0).path("text").asString(""));
            } else {
                m.set("content", parts);
            }
        }
    }

    private static String joinText(JsonNode blocks, String field) {
        if (!blocks.isArray()) {
            throw new ClientRequestException(field + ": must be a string or an array of text blocks", field);
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode block : blocks) {
            if ("text".equals(block.path("type").asString(""))) {
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(block.path("text").asString(""));
            }
        }
        return text.toString();
    }

    private static void copyNumber(JsonNode in, String from, ObjectNode out, String to) {
        JsonNode value = in.get(from);
        if (value != null && value.isNumber()) {
            out.set(to, value.deepCopy());
        }
    }

    @Override
    public String streamContentType() {
        return "text/event-stream";
    }

    @Override
    public byte[] response(byte[] canonical) {
        JsonNode completion = json.readTree(canonical);
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");
        ObjectNode out = json.createObjectNode();
        out.put("id", completion.path("id").asString(id));
        out.put("type", "message");
        out.put("role", "assistant");
        ArrayNode content = out.putArray("content");
        String text = message.path("content").isString() ? message.get("content").asString() : "";
        if (text.isEmpty() && message.path("refusal").isString()) {
            text = message.get("refusal").asString();
        }
        if (!text.isEmpty()) {
            content.addObject().put("type", "text").put("text", text);
        }
        for (JsonNode call : message.path("tool_calls")) {
            ObjectNode block = content.addObject();
            block.put("type", "tool_use");
            block.put("id", call.path("id").asString(""));
            block.put("name", call.path("function").path("name").asString(""));
            block.set("input", arguments(call.path("function").path("arguments").asString("")));
        }
        out.put("model", completion.path("model").asString(""));
        out.put("stop_reason", stopReason(choice.path("finish_reason").asString("stop")));
        out.putNull("stop_sequence");
        JsonNode usage = completion.path("usage");
        long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
        ObjectNode u = out.putObject("usage");
        u.put("input_tokens", usage.path("prompt_tokens").asLong(0) - cached);
        u.put("output_tokens", usage.path("completion_tokens").asLong(0));
        u.put("cache_creation_input_tokens", 0);
        u.put("cache_read_input_tokens", cached);
        return json.writeValueAsBytes(out);
    }

    private JsonNode arguments(String arguments) {
        if (arguments.isBlank()) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(arguments);
        } catch (JacksonException e) {
            return json.createObjectNode();
        }
    }

    /** OpenAI {@code finish_reason} → Anthropic {@code stop_reason}. */
    static String stopReason(String finishReason) {
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }


    @Override
    protected void chunk(JsonNode chunk, ByteArrayOutputStream out) {
        if (!started) {
            started = true;
            id = chunk.path("id").asString(id);
            model = chunk.path("model").asString(model);
            ObjectNode start = json.createObjectNode().put("type", "message_start");
            ObjectNode message = start.putObject("message");
            message.put("id", id).put("type", "message").put("role", "assistant");
            message.putArray("content");
            message.put("model", model).putNull("stop_reason").putNull("stop_sequence");
            message.putObject("usage").put("input_tokens", 0).put("output_tokens", 0)
                    .put("cache_creation_input_tokens", 0).put("cache_read_input_tokens", 0);
            emit(out, "message_start", start);
            emit(out, "ping", json.createObjectNode().put("type", "ping"));
        }
        JsonNode usage = chunk.get("usage");
        if (usage != null && usage.isObject()) {
            promptTokens = usage.path("prompt_tokens").asLong(0);
            completionTokens = usage.path("completion_tokens").asLong(0);
            cachedTokens = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
        }
        for (JsonNode choice : chunk.path("choices")) {
            JsonNode delta = choice.path("delta");
            String text = delta.path("content").isString() ? delta.get("content").asString()
                    : delta.path("refusal").isString() ? delta.get("refusal").asString() : "";
            if (!text.isEmpty()) {
                if (openBlock != 1) {
                    closeBlock(out);
                    ObjectNode start = json.createObjectNode().put("type", "content_block_start").put("index", nextBlock);
                    start.putObject("content_block").put("type", "text").put("text", "");
                    emit(out, "content_block_start", start);
                    openBlock = 1;
                }
                ObjectNode d = json.createObjectNode().put("type", "content_block_delta").put("index", nextBlock);
                d.putObject("delta").put("type", "text_delta").put("text", text);
                emit(out, "content_block_delta", d);
            }
            for (JsonNode call : delta.path("tool_calls")) {
                int index = call.path("index").asInt(0);
                if (openBlock != 2 || index != openToolIndex) {
                    closeBlock(out);
                    ObjectNode start = json.createObjectNode().put("type", "content_block_start").put("index", nextBlock);
                    start.putObject("content_block").put("type", "tool_use").put("id", call.path("id").asString(""))
                            .put("name", call.path("function").path("name").asString("")).putObject("input");
                    emit(out, "content_block_start", start);
                    openBlock = 2;
                    openToolIndex = index;
                }
                String arguments = call.path("function").path("arguments").asString("");
                if (!arguments.isEmpty()) {
                    ObjectNode d = json.createObjectNode().put("type", "content_block_delta").put("index", nextBlock);
                    d.putObject("delta").put("type", "input_json_delta").put("partial_json", arguments);
                    emit(out, "content_block_delta", d);
                }
            }
            JsonNode finish = choice.get("finish_reason");
            if (finish != null && finish.isString()) {
                stopReason = stopReason(finish.asString());
            }
        }
    }

    private void closeBlock(ByteArrayOutputStream out) {
        if (openBlock != 0) {
            emit(out, "content_block_stop", json.createObjectNode().put("type", "content_block_stop").put("index", nextBlock));
            nextBlock++;
            openBlock = 0;
            openToolIndex = -1;
        }
    }

    @Override
    protected void finish(ByteArrayOutputStream out) {
        if (finished) {
            return;
        }
        finished = true;
        if (!started) {
            chunk(json.createObjectNode(), out);
        }
        closeBlock(out);
        ObjectNode delta = json.createObjectNode().put("type", "message_delta");
        delta.putObject("delta").put("stop_reason", stopReason == null ? "end_turn" : stopReason).putNull("stop_sequence");
        ObjectNode usage = delta.putObject("usage");
        usage.put("input_tokens", promptTokens - cachedTokens);
        usage.put("output_tokens", completionTokens);
        usage.put("cache_creation_input_tokens", 0);
        usage.put("cache_read_input_tokens", cachedTokens);
        emit(out, "message_delta", delta);
        emit(out, "message_stop", json.createObjectNode().put("type", "message_stop"));
    }

    private void emit(ByteArrayOutputStream out, String event, ObjectNode data) {
        out.writeBytes(SseEncoder.event(event, json.writeValueAsString(data)));
    }

    @Override
    public byte[] error(GatewayError error) {
        return json.writeValueAsBytes(errorBody(error));
    }

    @Override
    public byte[] streamError(GatewayError error) {
        return SseEncoder.event("error", json.writeValueAsString(errorBody(error)));
    }

    private ObjectNode errorBody(GatewayError error) {
        ObjectNode body = json.createObjectNode().put("type", "error");
        body.putObject("error").put("type", errorType(error.status())).put("message", error.message());
        return body;
    }

    /** HTTP status → Anthropic error type (https://docs.anthropic.com/en/api/errors). */
    static String errorType(int status) {
        return switch (status) {
            case 400, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            default -> status < 500 ? "invalid_request_error" : "api_error";
        };
    }

    /** @return the non-empty string {@code field} of {@code node} */
    private static String requiredText(JsonNode node, String field, String message, String param) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString() || value.asString().isEmpty()) {
            throw new ClientRequestException(message, param);
        }
        return value.asString();
    }
}
