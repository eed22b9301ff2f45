package io.llmproxy.edge.provider;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the gateway reads of an OpenAI chat completion or chat completion chunk that it passes on as it
 * is, read with Jackson's streaming parser in one pass instead of building a {@code JsonNode} tree
 * (issue #16: the tree of every stream event was about 8 % of the event loops' CPU at 20 concurrent
 * streams). Every byte is still parsed, so a body or event that is not JSON throws as {@code readTree}
 * did; nothing is copied or rewritten.
 *
 * <p>Fields read, after https://platform.openai.com/docs/api-reference/chat/object and
 * https://platform.openai.com/docs/api-reference/chat-streaming: the top-level {@code error} (its
 * presence, and {@code error.message}), {@code usage} ({@code prompt_tokens}, {@code completion_tokens},
 * {@code prompt_tokens_details.cached_tokens}, in tokens) and {@code choices} (whether it holds any
 * choice, and how many carry a non-empty {@code delta.content}). A field named twice counts as its last
 * value, as in a tree. Numbers are read as a tree's {@code asLong(0)} would (a number-like string is
 * parsed, anything else is 0).
 */
final class OpenAiChunkScan {

    /** True when the JSON value is an object (anything else has no error, usage or choices). */
    boolean object;
    /** True when the object has a top-level {@code error} field, whatever its value. */
    boolean error;
    /** {@code error.message} when it is a string, else null. */
    String errorMessage;
    /** The {@code usage} object's token counts, or null when there is none or it is not an object. */
    TokenUsage usage;
    /** True when {@code choices} holds at least one choice. */
    boolean choices;
    /** How many choices carry a non-empty string {@code delta.content}. */
    int contentDeltas;

    private OpenAiChunkScan() {
    }

    /**
     * @param json the edge's mapper (its factory's limits and buffer recycling apply)
     * @param text one stream event's {@code data}
     * @throws JacksonException when {@code text} is not one JSON value
     */
    static OpenAiChunkScan of(JsonMapper json, String text) {
        try (JsonParser parser = json.createParser(text)) {
            return read(parser);
        }
    }

    /**
     * @param json the edge's mapper
     * @param body a whole response body (UTF-8 JSON); empty reads as no object
     * @throws JacksonException when {@code body} is not one JSON value
     */
    static OpenAiChunkScan of(JsonMapper json, byte[] body) {
        try (JsonParser parser = json.createParser(body)) {
            return read(parser);
        }
    }

    private static OpenAiChunkScan read(JsonParser parser) {
        OpenAiChunkScan scan = new OpenAiChunkScan();
        JsonToken root = parser.nextToken();
        if (root == JsonToken.START_OBJECT) {
            scan.object = true;
            scan.readRoot(parser);
        } else if (root != null) {
            parser.skipChildren();
        }
        if (root != null && parser.nextToken() != null) {
            throw new StreamReadException(parser, "Trailing token after the JSON value");
        }
        return scan;
    }

    private void readRoot(JsonParser parser) {
        for (String name = parser.nextName(); name != null; name = parser.nextName()) {
            JsonToken value = parser.nextToken();
            switch (name) {
                case "error" -> {
                    error = true;
                    errorMessage = value == JsonToken.START_OBJECT ? errorMessage(parser) : skipped(parser, null);
                }
                case "usage" -> usage = value == JsonToken.START_OBJECT ? usage(parser) : skipped(parser, null);
                case "choices" -> choices(parser, value);
                default -> parser.skipChildren();
            }
        }
    }

    private static String errorMessage(JsonParser parser) {
        String message = null;
        for (String name = parser.nextName(); name != null; name = parser.nextName()) {
            JsonToken value = parser.nextToken();
            if (name.equals("message")) {
                message = value == JsonToken.VALUE_STRING ? parser.getString() : skipped(parser, null);
            } else {
                parser.skipChildren();
            }
        }
        return message;
    }

    private static TokenUsage usage(JsonParser parser) {
        long prompt = 0;
        long completion = 0;
        long cached = 0;
        for (String name = parser.nextName(); name != null; name = parser.nextName()) {
            JsonToken value = parser.nextToken();
            switch (name) {
                case "prompt_tokens" -> prompt = number(parser, value);
                case "completion_tokens" -> completion = number(parser, value);
                case "prompt_tokens_details" -> cached = value == JsonToken.START_OBJECT ? cachedTokens(parser) : skipped(parser, 0L);
                default -> parser.skipChildren();
            }
        }
        return new TokenUsage(prompt, completion, cached);
    }

    private static long cachedTokens(JsonParser parser) {
        long cached = 0;
        for (String name = parser.nextName(); name != null; name = parser.nextName()) {
            JsonToken value = parser.nextToken();
            if (name.equals("cached_tokens")) {
                cached = number(parser, value);
            } else {
                parser.skipChildren();
            }
        }
        return cached;
    }

    private void choices(JsonParser parser, JsonToken value) {
        choices = false;
        contentDeltas = 0;
        if (value == JsonToken.START_ARRAY) {
            for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser.nextToken()) {
                choice(parser, element);
            }
        } else if (value == JsonToken.START_OBJECT) {
            // not OpenAI's shape, but a tree iterates an object's values as it would an array's elements
            for (String name = parser.nextName(); name != null; name = parser.nextName()) {
                choice(parser, parser.nextToken());
            }
        }
    }

    private void choice(JsonParser parser, JsonToken element) {
        choices = true;
        if (element != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        boolean content = false;
        for (String name = parser.nextName(); name != null; name = parser.nextName()) {
            JsonToken value = parser.nextToken();
            if (name.equals("delta")) {
                content = value == JsonToken.START_OBJECT ? deltaHasContent(parser) : skipped(parser, false);
            } else {
                parser.skipChildren();
            }
        }
        if (content) {
            contentDeltas++;
        }
    }

    private static boolean deltaHasContent(JsonParser parser) {
        boolean content = false;
        for (String name = parser.nextName(); name != null; name = parser.nextName()) {
            JsonToken value = parser.nextToken();
            if (name.equals("content")) {
                content = value == JsonToken.VALUE_STRING && !parser.getString().isEmpty();
            }
            parser.skipChildren();
        }
        return content;
    }

    /** A tree's {@code asLong(0)}: numbers truncated, a number-like string parsed, anything else 0. */
    private static long number(JsonParser parser, JsonToken value) {
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            return skipped(parser, 0L);
        }
        try {
            return parser.getValueAsLong(0);
        } catch (JacksonException outOfRange) {
            return 0;
        }
    }

    /** Skips the current value (and its children) and stands {@code fallback} in for it. */
    private static <T> T skipped(JsonParser parser, T fallback) {
        parser.skipChildren();
        return fallback;
    }
}
