package io.llmproxy.edge.api.anthropic;

import io.llmproxy.edge.chat.CanonicalRequest;
import io.llmproxy.edge.gateway.GatewayError;
import io.llmproxy.edge.chat.ReencodingCodec;
import io.llmproxy.edge.stream.SseEncoder;
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
 * <p><b>Request → canonical</b> (OpenAI chat): see {@link AnthropicRequest} ({@code system}, content
 * blocks, tools and {@code tool_choice} mapped; {@code top_k}, {@code thinking}, {@code service_tier}
 * dropped; {@code document} blocks and server tools refused with 400).
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
        return AnthropicRequest.decode(json, bytes);
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
}
