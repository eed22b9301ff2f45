package io.llmproxy.edge.api.anthropic;

import io.llmproxy.edge.chat.CanonicalRequest;
import io.llmproxy.edge.chat.ClientRequestException;
import io.llmproxy.edge.chat.RequestChecks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An Anthropic Messages request body ({@code POST /v1/messages}, https://docs.anthropic.com/en/api/messages)
 * decoded into the canonical request (OpenAI chat completions), for {@link AnthropicMessagesCodec}.
 *
 * <p><b>Mapping</b>: {@code system} (string or text blocks) → a first {@code system} message;
 * {@code text} blocks → text parts; {@code image} blocks → {@code image_url}
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
 * A stream asks for the usage chunk ({@code stream_options.include_usage}).
 */
final class AnthropicRequest {

    private AnthropicRequest() {
    }

    /**
     * @return the canonical request; its model is the request's {@code model}, and the client always wants usage
     * @throws ClientRequestException ({@code param} = the field; the client gets 400) for a body Anthropic's API
     *                                refuses or one this gateway cannot honour (see the class comment)
     */
    static CanonicalRequest decode(JsonMapper json, byte[] bytes) {
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
            addMessage(json, canonicalMessages, message);
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

    private static void addMessage(JsonMapper json, ArrayNode out, JsonNode message) {
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

    /** @return the non-empty string {@code field} of {@code node} */
    private static String requiredText(JsonNode node, String field, String message, String param) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString() || value.asString().isEmpty()) {
            throw new ClientRequestException(message, param);
        }
        return value.asString();
    }
}
