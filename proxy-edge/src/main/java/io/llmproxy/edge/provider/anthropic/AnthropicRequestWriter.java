package io.llmproxy.edge.provider.anthropic;

import io.llmproxy.edge.provider.UnsupportedRequestException;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The request half of {@link AnthropicChatTranslator}: the canonical OpenAI chat request → an
 * Anthropic Messages API request (https://docs.anthropic.com/en/api/messages): the system prompt
 * lifted out of the messages, consecutive same-role messages merged, content parts, images (data
 * URL → base64 source, http(s) → url source), tool calls and results, tools and {@code tool_choice},
 * and {@code max_tokens} (the client's, else the documented default). One object per request.
 */
final class AnthropicRequestWriter {

    private final JsonMapper json;
    private final boolean stream;
    private final long defaultMaxTokens;
    private final String providerName;

    AnthropicRequestWriter(JsonMapper json, boolean stream, long defaultMaxTokens, String providerName) {
        this.json = json;
        this.stream = stream;
        this.defaultMaxTokens = defaultMaxTokens;
        this.providerName = providerName;
    }

    /**
     * @return the Messages API request for {@code request} (canonical OpenAI chat shape)
     * @throws UnsupportedRequestException for a field Anthropic cannot take, naming it
     */
    UpstreamRequest write(ObjectNode request, ProviderEntry provider, String providerModel) {
        ObjectNode out = json.createObjectNode();
        out.put("model", providerModel);
        JsonNode n = request.get("n");
        if (n != null && n.isNumber() && n.asInt() > 1) {
            throw new UnsupportedRequestException(providerName + " (Anthropic) returns one choice per request; n must be 1.", "n");
        }
        JsonNode responseFormat = request.get("response_format");
        if (responseFormat != null && responseFormat.isObject() && !"text".equals(responseFormat.path("type").asString(""))) {
            throw new UnsupportedRequestException(providerName + " (Anthropic) does not support response_format '"
                    + responseFormat.path("type").asString("") + "'.", "response_format");
        }
        out.put("max_tokens", maxTokens(request));

        StringBuilder system = new StringBuilder();
        ArrayNode messages = json.createArrayNode();
        String lastRole = null;
        ArrayNode lastBlocks = null;
        for (JsonNode message : request.get("messages")) {
            String role = message.path("role").asString("");
            if (role.equals("system") || role.equals("developer")) {
                String text = plainText(message.get("content"));
                if (!text.isEmpty()) {
                    if (!system.isEmpty()) {
                        system.append("\n\n");
                    }
                    system.append(text);
                }
                continue;
            }
            String anthropicRole;
            ArrayNode blocks = json.createArrayNode();
            switch (role) {
                case "user" -> {
                    anthropicRole = "user";
                    contentBlocks(message.get("content"), blocks);
                }
                case "assistant" -> {
                    anthropicRole = "assistant";
                    contentBlocks(message.get("content"), blocks);
                    toolUseBlocks(message.get("tool_calls"), blocks);
                }
                case "tool" -> {
                    anthropicRole = "user";
                    ObjectNode result = blocks.addObject();
                    result.put("type", "tool_result");
                    result.put("tool_use_id", message.path("tool_call_id").asString(""));
                    JsonNode content = message.get("content");
                    if (content != null && content.isArray()) {
                        ArrayNode parts = json.createArrayNode();
                        contentBlocks(content, parts);
                        result.set("content", parts);
                    } else {
                        result.put("content", content == null || content.isNull() ? "" : content.asString(""));
                    }
                }
                default -> throw new UnsupportedRequestException(
                        providerName + " (Anthropic) cannot take a message with role '" + role + "'.", "messages");
            }
            if (blocks.isEmpty()) {
                continue;
            }
            if (anthropicRole.equals(lastRole)) {
                lastBlocks.addAll(blocks);
            } else {
                ObjectNode m = messages.addObject();
                m.put("role", anthropicRole);
                m.set("content", blocks);
                lastRole = anthropicRole;
                lastBlocks = blocks;
            }
        }
        for (JsonNode m : messages) {
            ArrayNode blocks = (ArrayNode) m.get("content");
            if (blocks.size() == 1 && "text".equals(blocks.get(0).path("type").asString(""))) {
                ((ObjectNode) m).put("content", blocks.get(0).get("text").asString());
            }
        }
        if (!system.isEmpty()) {
            out.put("system", system.toString());
        }
        out.set("messages", messages);

        JsonNode stop = request.get("stop");
        if (stop != null && stop.isString()) {
            out.putArray("stop_sequences").add(stop.asString());
        } else if (stop != null && stop.isArray() && !stop.isEmpty()) {
            out.set("stop_sequences", stop);
        }
        for (String field : new String[] {"temperature", "top_p"}) {
            JsonNode value = request.get(field);
            if (value != null && value.isNumber()) {
                out.set(field, value);
            }
        }
        JsonNode user = request.get("user");
        if (user != null && user.isString()) {
            out.putObject("metadata").put("user_id", user.asString());
        }
        tools(request, out);
        if (stream) {
            out.put("stream", true);
        }

        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-api-key", provider.apiKey());
        headers.put("anthropic-version", AnthropicChatTranslator.ANTHROPIC_VERSION);
        headers.put("Content-Type", "application/json");
        headers.put("Accept", stream ? "text/event-stream" : "application/json");
        return new UpstreamRequest(messagesUrl(provider.baseUrl()), headers, json.writeValueAsBytes(out));
    }

    /** {@code https://api.anthropic.com} → {@code …/v1/messages}; {@code …/v1} → {@code …/v1/messages}. */
    static String messagesUrl(String baseUrl) {
        String base = baseUrl;
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base.endsWith("/v1") ? base + "/messages" : base + "/v1/messages";
    }

    private long maxTokens(ObjectNode request) {
        for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
            JsonNode value = request.get(field);
            if (value != null && value.canConvertToLong() && value.asLong() > 0) {
                return value.asLong();
            }
        }
        return defaultMaxTokens;
    }

    private String plainText(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isString()) {
            return content.asString();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            if ("text".equals(part.path("type").asString(""))) {
                if (!sb.isEmpty()) {
                    sb.append("\n");
                }
                sb.append(part.path("text").asString(""));
            } else {
                throw new UnsupportedRequestException(providerName + " (Anthropic) takes only text in a system prompt.", "messages");
            }
        }
        return sb.toString();
    }

    private void contentBlocks(JsonNode content, ArrayNode blocks) {
        if (content == null || content.isNull()) {
            return;
        }
        if (content.isString()) {
            if (!content.asString().isEmpty()) {
                blocks.addObject().put("type", "text").put("text", content.asString());
            }
            return;
        }
        if (!content.isArray()) {
            throw new UnsupportedRequestException("message content must be a string or an array of parts", "messages");
        }
        for (JsonNode part : content) {
            String type = part.path("type").asString("");
            switch (type) {
                case "text" -> blocks.addObject().put("type", "text").put("text", part.path("text").asString(""));
                case "image_url" -> blocks.add(imageBlock(part.get("image_url")));
                default -> throw new UnsupportedRequestException(
                        providerName + " (Anthropic) cannot take content parts of type '" + type + "'.", "messages");
            }
        }
    }

    private ObjectNode imageBlock(JsonNode imageUrl) {
        String url = imageUrl == null ? "" : imageUrl.isString() ? imageUrl.asString() : imageUrl.path("url").asString("");
        ObjectNode block = json.createObjectNode();
        block.put("type", "image");
        ObjectNode source = block.putObject("source");
        if (url.startsWith("data:")) {
            int comma = url.indexOf(',');
            String meta = comma < 0 ? "" : url.substring(5, comma);
            if (comma < 0 || !meta.endsWith(";base64")) {
                throw new UnsupportedRequestException(
                        providerName + " (Anthropic) takes data: image URLs only in base64 (data:<media type>;base64,…).", "messages");
            }
            source.put("type", "base64");
            source.put("media_type", meta.substring(0, meta.length() - ";base64".length()));
            source.put("data", url.substring(comma + 1));
        } else if (url.startsWith("https://") || url.startsWith("http://")) {
            source.put("type", "url");
            source.put("url", url);
        } else {
            throw new UnsupportedRequestException(
                    providerName + " (Anthropic) takes image URLs that are data: (base64) or http(s) URLs.", "messages");
        }
        return block;
    }

    private void toolUseBlocks(JsonNode toolCalls, ArrayNode blocks) {
        if (toolCalls == null || !toolCalls.isArray()) {
            return;
        }
        for (JsonNode call : toolCalls) {
            ObjectNode block = blocks.addObject();
            block.put("type", "tool_use");
            block.put("id", call.path("id").asString(""));
            block.put("name", call.path("function").path("name").asString(""));
            String arguments = call.path("function").path("arguments").asString("");
            JsonNode input;
            try {
                input = arguments.isBlank() ? json.createObjectNode() : json.readTree(arguments);
            } catch (JacksonException e) {
                input = null;
            }
            if (input == null || !input.isObject()) {
                throw new UnsupportedRequestException(
                        "tool call arguments must be a JSON object for " + providerName + " (Anthropic).", "messages");
            }
            block.set("input", input);
        }
    }

    private void tools(ObjectNode request, ObjectNode out) {
        JsonNode tools = request.get("tools");
        boolean hasTools = tools != null && tools.isArray() && !tools.isEmpty();
        if (hasTools) {
            ArrayNode anthropicTools = out.putArray("tools");
            for (JsonNode tool : tools) {
                if (!"function".equals(tool.path("type").asString("function"))) {
                    throw new UnsupportedRequestException(providerName + " (Anthropic) takes only function tools.", "tools");
                }
                JsonNode function = tool.path("function");
                ObjectNode t = anthropicTools.addObject();
                t.put("name", function.path("name").asString(""));
                if (function.has("description")) {
                    t.put("description", function.path("description").asString(""));
                }
                JsonNode parameters = function.get("parameters");
                if (parameters != null && parameters.isObject()) {
                    t.set("input_schema", parameters);
                } else {
                    t.putObject("input_schema").put("type", "object");
                }
            }
        }
        JsonNode choice = request.get("tool_choice");
        ObjectNode anthropicChoice = null;
        if (choice != null && choice.isString()) {
            anthropicChoice = json.createObjectNode();
            anthropicChoice.put("type", switch (choice.asString()) {
                case "none" -> "none";
                case "required" -> "any";
                default -> "auto";
            });
        } else if (choice != null && choice.isObject()) {
            anthropicChoice = json.createObjectNode();
            anthropicChoice.put("type", "tool");
            anthropicChoice.put("name", choice.path("function").path("name").asString(""));
        }
        JsonNode parallel = request.get("parallel_tool_calls");
        if (hasTools && parallel != null && parallel.isBoolean() && !parallel.asBoolean()) {
            if (anthropicChoice == null) {
                anthropicChoice = json.createObjectNode().put("type", "auto");
            }
            if (!"none".equals(anthropicChoice.path("type").asString())) {
                anthropicChoice.put("disable_parallel_tool_use", true);
            }
        }
        if (anthropicChoice != null && hasTools) {
            out.set("tool_choice", anthropicChoice);
        }
    }

}
