package io.llmproxy.edge.api.responses;

import io.llmproxy.edge.chat.ClientRequestException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Responses API items (https://platform.openai.com/docs/api-reference/responses/create#responses-create-input)
 * → canonical chat messages. Used for a request's own input items and for the stored items of the
 * response it continues ({@code previous_response_id}): {@code message} items (user, system,
 * developer → system, assistant), {@code function_call} → assistant {@code tool_calls},
 * {@code function_call_output} → {@code tool} message; {@code reasoning} items are dropped.
 */
final class ResponsesItems {

    private ResponsesItems() {
    }

    /**
     * Appends the messages of {@code items} to {@code messages}.
     *
     * @throws ClientRequestException (param {@code input}) for an item type or content part this gateway cannot take
     */
    static void toMessages(JsonMapper json, JsonNode items, ArrayNode messages) {
        ObjectNode openCalls = null;
        for (JsonNode item : items) {
            String type = item.path("type").asString(item.has("role") ? "message" : "");
            switch (type) {
                case "message" -> {
                    openCalls = null;
                    message(json, item, messages);
                }
                case "function_call" -> {
                    if (openCalls == null) {
                        // calls join the assistant turn they follow (one assistant message, as chat APIs expect)
                        JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
                        if (last instanceof ObjectNode m && "assistant".equals(m.path("role").asString(""))
                                && !m.has("tool_calls")) {
                            openCalls = m;
                        } else {
                            openCalls = messages.addObject().put("role", "assistant");
                            openCalls.putNull("content");
                        }
                        openCalls.putArray("tool_calls");
                    }
                    ObjectNode call = ((ArrayNode) openCalls.get("tool_calls")).addObject();
                    call.put("id", text(item, "call_id", "Missing required parameter: 'input[].call_id'."));
                    call.put("type", "function");
                    call.putObject("function").put("name", text(item, "name", "Missing required parameter: 'input[].name'."))
                            .put("arguments", item.path("arguments").asString("{}"));
                }
                case "function_call_output" -> {
                    openCalls = null;
                    JsonNode output = item.get("output");
                    String text = output == null || output.isNull() ? "" : output.isString() ? output.asString() : joinText(output);
                    messages.addObject().put("role", "tool")
                            .put("tool_call_id", text(item, "call_id", "Missing required parameter: 'input[].call_id'."))
                            .put("content", text);
                }
                case "reasoning" -> {
                    // no canonical equivalent
                }
                default -> throw new ClientRequestException("Input item type '" + type + "' is not supported by this gateway.",
                        "input");
            }
        }
    }

    private static void message(JsonMapper json, JsonNode item, ArrayNode messages) {
        String role = item.path("role").asString("");
        switch (role) {
            case "user", "system", "assistant" -> {
            }
            case "developer" -> role = "system";
            default -> throw new ClientRequestException("Invalid 'input[].role': expected user, assistant, system or developer.",
                    "input");
        }
        JsonNode content = item.get("content");
        if (content != null && content.isString()) {
            messages.addObject().put("role", role).put("content", content.asString());
            return;
        }
        if (content == null || !content.isArray()) {
            throw new ClientRequestException("Invalid 'input[].content': expected a string or an array of content parts.", "input");
        }
        if (!"user".equals(role)) {
            // system and assistant turns are text only
            messages.addObject().put("role", role).put("content", joinText(content));
            return;
        }
        ArrayNode parts = json.createArrayNode();
        boolean textOnly = true;
        for (JsonNode part : content) {
            String type = part.path("type").asString("");
            switch (type) {
                case "input_text", "output_text" -> parts.addObject().put("type", "text")
                        .put("text", text(part, "text", "Missing required parameter: 'input[].content[].text'."));
                case "input_image" -> {
                    textOnly = false;
                    JsonNode url = part.get("image_url");
                    if (url == null || !url.isString()) {
                        throw new ClientRequestException("input_image by file_id is not supported by this gateway: "
                                + "give an image_url (https or data URL).", "input");
                    }
                    String u = url.asString();
                    if (!u.startsWith("https://") && !u.startsWith("http://") && !u.startsWith("data:")) {
                        throw new ClientRequestException("Invalid 'image_url': expected an http(s) or data URL.", "input");
                    }
                    ObjectNode image = parts.addObject().put("type", "image_url").putObject("image_url").put("url", u);
                    if (part.path("detail").isString()) {
                        image.put("detail", part.get("detail").asString());
                    }
                }
                default -> throw new ClientRequestException("Content part type '" + type
                        + "' is not supported by this gateway.", "input");
            }
        }
        ObjectNode m = messages.addObject().put("role", role);
        if (textOnly && parts.size() == 1) {
            m.put("content", parts.get(0).path("text").asString(""));
        } else {
            m.set("content", parts);
        }
    }

    private static String joinText(JsonNode parts) {
        StringBuilder text = new StringBuilder();
        for (JsonNode part : parts) {
            JsonNode t = part.isString() ? part : part.has("text") ? part.get("text") : part.get("refusal");
            if (t != null && t.isString()) {
                text.append(t.asString());
            } else if (!"reasoning".equals(part.path("type").asString(""))) {
                throw new ClientRequestException("Content part type '" + part.path("type").asString("")
                        + "' is not supported here by this gateway: only text parts are.", "input");
            }
        }
        return text.toString();
    }

    private static String text(JsonNode node, String field, String message) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString()) {
            throw new ClientRequestException(message, "input");
        }
        return value.asString();
    }
}
