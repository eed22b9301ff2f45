package io.llmproxy.edge.api.ollama;

import io.llmproxy.edge.api.ollama.OllamaChatCodec.Api;
import io.llmproxy.edge.chat.CanonicalRequest;
import io.llmproxy.edge.chat.ClientRequestException;
import io.llmproxy.edge.chat.RequestChecks;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An Ollama {@code POST /api/chat} or {@code POST /api/generate} request body
 * (https://github.com/ollama/ollama/blob/main/docs/api.md) decoded into the canonical request (OpenAI chat
 * completions), for {@link OllamaChatCodec}.
 *
 * <p><b>Mapping</b>: {@code /api/chat} {@code messages[{role,content,images?,tool_calls?,tool_name?}]}
 * → messages ({@code images}, base64 without a prefix, → {@code image_url}
 * parts with a {@code data:} URL whose media type is sniffed from the bytes: PNG, JPEG, GIF, WebP,
 * else PNG); assistant {@code tool_calls[{function:{name,arguments:{…}}}]} → OpenAI tool calls with
 * generated ids {@code call_<n>} and {@code arguments} serialized; {@code role:"tool"} messages get the
 * id of the earliest unanswered call (of the same {@code tool_name} when given). {@code /api/generate}
 * {@code system} + {@code prompt} (+ {@code images}) → a system and a user message. {@code tools} are
 * OpenAI-shaped already and pass through; {@code format:"json"} → {@code response_format json_object},
 * a JSON schema → {@code json_schema}; {@code options}: {@code temperature}, {@code top_p}, {@code seed},
 * {@code stop}, {@code frequency_penalty}, {@code presence_penalty} as is, {@code num_predict} (> 0) →
 * {@code max_tokens}; other options ({@code top_k}, {@code num_ctx}…), {@code keep_alive},
 * {@code think}, {@code raw}, {@code template}, {@code context} and {@code suffix} are dropped.
 * A request streams unless it says {@code "stream": false}; a stream asks for the usage chunk.
 */
final class OllamaRequest {

    private OllamaRequest() {
    }

    /**
     * @param in    the request body, a JSON object
     * @param model its {@code model} (the codec reads it first: it names the model in its answers)
     * @return the canonical request; the client always wants usage
     * @throws ClientRequestException ({@code param} = the field; the client gets 400) for missing
     *                                {@code messages} / {@code prompt}, an unknown role, a non-boolean
     *                                {@code stream} or a non-integer {@code options.num_predict}
     */
    static CanonicalRequest decode(JsonMapper json, Api api, ObjectNode in, String model) {
        // Ollama streams unless told not to
        boolean stream = RequestChecks.optionalBoolean(in, "stream", true, "stream must be a boolean");

        ObjectNode out = json.createObjectNode();
        out.put("model", model);
        ArrayNode messages = out.putArray("messages");
        if (api == Api.CHAT) {
            JsonNode in2 = in.get("messages");
            if (in2 == null || !in2.isArray() || in2.isEmpty()) {
                throw new ClientRequestException("messages is required", "messages");
            }
            chatMessages(json, in2, messages);
        } else {
            JsonNode prompt = in.get("prompt");
            if (prompt == null || !prompt.isString() || prompt.asString().isEmpty()) {
                throw new ClientRequestException("prompt is required", "prompt");
            }
            if (in.path("system").isString() && !in.get("system").asString().isEmpty()) {
                messages.addObject().put("role", "system").put("content", in.get("system").asString());
            }
            userMessage(messages.addObject().put("role", "user"), prompt.asString(), in.get("images"));
        }
        JsonNode tools = in.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            out.set("tools", tools.deepCopy());
        }
        JsonNode format = in.get("format");
        if (format != null && format.isString() && "json".equals(format.asString())) {
            out.putObject("response_format").put("type", "json_object");
        } else if (format != null && format.isObject()) {
            ObjectNode schema = out.putObject("response_format").put("type", "json_schema").putObject("json_schema");
            schema.put("name", "response");
            schema.set("schema", format.deepCopy());
        }
        JsonNode options = in.path("options");
        for (String name : List.of("temperature", "top_p", "seed", "frequency_penalty", "presence_penalty")) {
            if (options.path(name).isNumber()) {
                out.set(name, options.get(name).deepCopy());
            }
        }
        JsonNode numPredict = options.get("num_predict");
        if (numPredict != null && !numPredict.isNull() && !numPredict.isInt()) {
            throw new ClientRequestException("options.num_predict must be an integer from -2 to 2147483647", "options");
        }
        // Ollama's -1 (no limit) and -2 (fill the context) set no cap: the gateway's default applies
        if (numPredict != null && numPredict.isInt() && numPredict.asInt() > 0) {
            out.put("max_tokens", numPredict.asInt());
        }
        JsonNode stop = options.get("stop");
        if (stop != null && (stop.isArray() && !stop.isEmpty() || stop.isString())) {
            out.set("stop", stop.deepCopy());
        }
        if (stream) {
            out.put("stream", true);
            out.putObject("stream_options").put("include_usage", true);
        }
        return new CanonicalRequest(out, model, stream, true);
    }

    private static void chatMessages(JsonMapper json, JsonNode in, ArrayNode out) {
        List<String[]> unanswered = new ArrayList<>();
        int callNumber = 0;
        for (JsonNode message : in) {
            String role = message.path("role").asString("");
            String content = message.path("content").isString() ? message.get("content").asString() : "";
            switch (role) {
                case "system" -> out.addObject().put("role", "system").put("content", content);
                case "user" -> userMessage(out.addObject().put("role", "user"), content, message.get("images"));
                case "assistant" -> {
                    ObjectNode m = out.addObject().put("role", "assistant");
                    JsonNode calls = message.get("tool_calls");
                    if (calls != null && calls.isArray() && !calls.isEmpty()) {
                        if (content.isEmpty()) {
                            m.putNull("content");
                        } else {
                            m.put("content", content);
                        }
                        ArrayNode canonical = m.putArray("tool_calls");
                        for (JsonNode call : calls) {
                            String id = call.path("id").isString() ? call.get("id").asString() : "call_" + callNumber;
                            callNumber++;
                            String name = call.path("function").path("name").asString("");
                            JsonNode arguments = call.path("function").get("arguments");
                            canonical.addObject().put("id", id).put("type", "function").putObject("function")
                                    .put("name", name).put("arguments", arguments == null ? "{}"
                                            : arguments.isString() ? arguments.asString() : json.writeValueAsString(arguments));
                            unanswered.add(new String[] {id, name});
                        }
                    } else {
                        m.put("content", content);
                    }
                }
                case "tool" -> {
                    String name = message.path("tool_name").asString(message.path("name").asString(""));
                    String id = null;
                    for (Iterator<String[]> it = unanswered.iterator(); it.hasNext(); ) {
                        String[] call = it.next();
                        if (name.isEmpty() || call[1].equals(name)) {
                            id = call[0];
                            it.remove();
                            break;
                        }
                    }
                    if (id == null) {
                        id = "call_" + callNumber++;
                    }
                    out.addObject().put("role", "tool").put("tool_call_id", id).put("content", content);
                }
                default -> throw new ClientRequestException("invalid role '" + role
                        + "': must be system, user, assistant or tool", "messages");
            }
        }
    }

    private static void userMessage(ObjectNode message, String text, JsonNode images) {
        if (images == null || !images.isArray() || images.isEmpty()) {
            message.put("content", text);
            return;
        }
        ArrayNode parts = message.putArray("content");
        if (!text.isEmpty()) {
            parts.addObject().put("type", "text").put("text", text);
        }
        for (JsonNode image : images) {
            String data = image.asString("");
            parts.addObject().put("type", "image_url").putObject("image_url")
                    .put("url", "data:" + mediaType(data) + ";base64," + data);
        }
    }

    /** @return the media type of base64 image bytes, from their magic number (PNG when unknown) */
    static String mediaType(String base64) {
        if (base64.startsWith("/9j/")) {
            return "image/jpeg";
        }
        if (base64.startsWith("R0lGOD")) {
            return "image/gif";
        }
        if (base64.startsWith("UklGR")) {
            return "image/webp";
        }
        return "image/png";
    }
}
