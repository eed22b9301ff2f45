package io.llmproxy.simulator.openai;

import io.llmproxy.simulator.core.NormalizedChatRequest;
import io.llmproxy.simulator.core.NormalizedMessage;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses and validates an OpenAI Chat Completions request body (API reference, "Create chat
 * completion", https://platform.openai.com/docs/api-reference/chat/create) into an
 * {@link OpenAiChatRequest}. Anything it rejects raises a 400 {@link OpenAiApiException} naming the
 * parameter.
 *
 * <p>Read fields (all others are accepted and ignored, e.g. {@code temperature}, {@code tools},
 * {@code n} &mdash; the simulator always answers one choice):
 * <ul>
 *   <li>{@code model}: required non-empty string; any name is accepted;</li>
 *   <li>{@code messages}: required non-empty array of objects with a string {@code role} and a
 *       {@code content} that is a string, {@code null}/absent (e.g. assistant tool calls), or an array
 *       of parts; {@code {"type":"text","text":...}} parts are text, {@code {"type":"image_url",...}}
 *       parts count as images, other part types are ignored;</li>
 *   <li>{@code max_completion_tokens}, else the deprecated {@code max_tokens}: optional integer &ge; 1,
 *       the output-token limit;</li>
 *   <li>{@code stream}: optional boolean; {@code stream_options.include_usage}: optional boolean, only
 *       effective when streaming.</li>
 * </ul>
 */
public final class OpenAiRequestParser {

    private final JsonMapper mapper;

    public OpenAiRequestParser(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /** The body as a JSON tree (call after {@link #parse} accepted it). */
    public JsonNode tree(byte[] body) {
        return mapper.readTree(body);
    }

    /** The mapper this parser reads with. */
    public JsonMapper mapper() {
        return mapper;
    }

    /** Parses a raw request body; throws {@link OpenAiApiException} (400) when it is invalid. */
    public OpenAiChatRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JacksonException e) {
            throw OpenAiApiException.invalidJson();
        }
        if (root == null || !root.isObject()) {
            throw OpenAiApiException.invalidJson();
        }

        String model = requiredString(root, "model");
        List<NormalizedMessage> messages = messages(root.get("messages"));
        Integer limit = optionalPositiveInt(root, "max_completion_tokens");
        if (limit == null) {
            limit = optionalPositiveInt(root, "max_tokens");
        }
        boolean stream = optionalBoolean(root, "stream", "stream");
        boolean includeUsage = false;
        JsonNode options = root.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw invalidType("stream_options", "an object");
            }
            includeUsage = optionalBoolean(options, "include_usage", "stream_options.include_usage");
        }
        return new OpenAiChatRequest(new NormalizedChatRequest(model, messages, limit), stream, stream && includeUsage);
    }

    private static List<NormalizedMessage> messages(JsonNode node) {
        if (node == null || node.isNull()) {
            throw missing("messages");
        }
        if (!node.isArray()) {
            throw invalidType("messages", "an array");
        }
        if (node.isEmpty()) {
            throw OpenAiApiException.invalidRequest("Invalid 'messages': empty array. Expected an array with "
                    + "minimum length 1, but got an empty array instead.", "messages");
        }
        List<NormalizedMessage> messages = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            messages.add(message(node.get(i), "messages[" + i + "]"));
        }
        return messages;
    }

    private static NormalizedMessage message(JsonNode node, String path) {
        if (!node.isObject()) {
            throw invalidType(path, "an object");
        }
        String role = requiredString(node, "role", path + ".role");
        JsonNode content = node.get("content");
        if (content == null || content.isNull()) {
            return new NormalizedMessage(role, List.of(), 0);
        }
        if (content.isString()) {
            return new NormalizedMessage(role, List.of(content.stringValue()), 0);
        }
        if (!content.isArray()) {
            throw invalidType(path + ".content", "a string or an array of content parts");
        }
        List<String> texts = new ArrayList<>();
        int images = 0;
        for (int j = 0; j < content.size(); j++) {
            String partPath = path + ".content[" + j + "]";
            JsonNode part = content.get(j);
            if (!part.isObject()) {
                throw invalidType(partPath, "an object");
            }
            String type = requiredString(part, "type", partPath + ".type");
            switch (type) {
                case "text" -> texts.add(requiredString(part, "text", partPath + ".text"));
                case "image_url" -> images++;
                default -> {
                    // input_audio, file, refusal, ...: accepted, not counted
                }
            }
        }
        return new NormalizedMessage(role, texts, images);
    }

    private static String requiredString(JsonNode object, String field) {
        return requiredString(object, field, field);
    }

    private static String requiredString(JsonNode object, String field, String param) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            throw missing(param);
        }
        if (!value.isString()) {
            throw invalidType(param, "a string");
        }
        if (value.stringValue().isEmpty()) {
            throw OpenAiApiException.invalidRequest("Invalid '" + param + "': empty string. Expected a string "
                    + "with minimum length 1, but got an empty string instead.", param);
        }
        return value.stringValue();
    }

    private static Integer optionalPositiveInt(JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw invalidType(field, "an integer");
        }
        int parsed = value.intValue();
        if (parsed < 1) {
            throw OpenAiApiException.invalidRequest("Invalid '" + field + "': integer below minimum value. "
                    + "Expected a value >= 1, but got " + parsed + " instead.", field);
        }
        return parsed;
    }

    private static boolean optionalBoolean(JsonNode object, String field, String param) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw invalidType(param, "a boolean");
        }
        return value.booleanValue();
    }

    private static OpenAiApiException missing(String param) {
        return OpenAiApiException.invalidRequest("Missing required parameter: '" + param + "'.", param);
    }

    private static OpenAiApiException invalidType(String param, String expected) {
        return OpenAiApiException.invalidRequest("Invalid type for '" + param + "': expected " + expected + ".", param);
    }
}
