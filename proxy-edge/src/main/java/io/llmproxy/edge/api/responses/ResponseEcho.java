package io.llmproxy.edge.api.responses;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;
import tools.jackson.core.io.SerializedString;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The request fields a Responses API {@code response} object repeats
 * (https://platform.openai.com/docs/api-reference/responses/object), with OpenAI's defaults for the
 * ones the request left out. Kept as references into the request (no tree is built) and written
 * straight to a generator by {@link ResponseObjects#response}.
 *
 * @param instructions      the request's {@code instructions}, or null
 * @param maxOutputTokens   {@code max_output_tokens} (tokens), or null
 * @param parallelToolCalls {@code parallel_tool_calls}, default true
 * @param previousResponseId {@code previous_response_id}, or null
 * @param store             {@code store}, default true
 * @param temperature       {@code temperature}, default 1.0
 * @param textFormat        {@code text.format}, or null for {@code {"type":"text"}}
 * @param toolChoice        {@code tool_choice}, or null for {@code "auto"}
 * @param tools             the function tools as a response shows them ({@code {"type":"function","name",…}})
 * @param topP              {@code top_p}, default 1.0
 * @param user              {@code user}, or null
 * @param metadata          {@code metadata}, or null for {@code {}}
 */
record ResponseEcho(JsonNode instructions, JsonNode maxOutputTokens, boolean parallelToolCalls, JsonNode previousResponseId,
                    boolean store, double temperature, JsonNode textFormat, JsonNode toolChoice, ArrayNode tools,
                    double topP, JsonNode user, JsonNode metadata) {

    private static final SerializableString DEFAULTS_STORED = defaults(true);
    private static final SerializableString DEFAULTS_NOT_STORED = defaults(false);

    /** @return {@code ,"parallel_tool_calls":true,…,"truncation":"disabled"} of a request that set none of them */
    private static SerializableString defaults(boolean store) {
        ResponseEcho echo = new ResponseEcho(null, null, true, null, store, 1.0, null, null,
                JsonNodeFactory.instance.arrayNode(), 1.0, null, null);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256);
        try (JsonGenerator g = JsonMapper.builder().build().createGenerator(out)) {
            g.writeStartObject();
            echo.writeAfterOutputFields(g);
            g.writeEndObject();
        }
        String object = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        return new SerializedString("," + object.substring(1, object.length() - 1));
    }

    /** @param tools the function tools as the response echoes them */
    static ResponseEcho of(ObjectNode in, ArrayNode tools) {
        return new ResponseEcho(nonNull(in, "instructions"), nonNull(in, "max_output_tokens"),
                in.path("parallel_tool_calls").asBoolean(true), nonNull(in, "previous_response_id"),
                in.path("store").asBoolean(true),
                in.path("temperature").isNumber() ? in.get("temperature").asDouble() : 1.0,
                in.path("text").path("format") instanceof ObjectNode f ? f : null,
                nonNull(in, "tool_choice"), tools,
                in.path("top_p").isNumber() ? in.get("top_p").asDouble() : 1.0,
                nonNull(in, "user"), in.get("metadata") instanceof ObjectNode m ? m : null);
    }

    private static JsonNode nonNull(ObjectNode in, String name) {
        JsonNode value = in.get(name);
        return value == null || value.isNull() ? null : value;
    }

    /** Writes {@code "instructions","max_output_tokens"}. */
    void writeBeforeModel(JsonGenerator g) {
        field(g, ResponseKeys.INSTRUCTIONS, instructions);
        field(g, ResponseKeys.MAX_OUTPUT_TOKENS, maxOutputTokens);
    }

    /**
     * Writes {@code "parallel_tool_calls","previous_response_id","reasoning","store","temperature","text",
     * "tool_choice","tools","top_p","truncation"}.
     */
    void writeAfterOutput(JsonGenerator g) {
        if (parallelToolCalls && previousResponseId == null && temperature == 1.0 && textFormat == null
                && toolChoice == null && tools.isEmpty() && topP == 1.0) {
            // what most requests echo: written once per JVM (the generator's context still counts the
            // object's entries, and the fragment starts with its own comma)
            g.writeRaw(store ? DEFAULTS_STORED : DEFAULTS_NOT_STORED);
            return;
        }
        writeAfterOutputFields(g);
    }

    /** {@link #writeAfterOutput} field by field. */
    void writeAfterOutputFields(JsonGenerator g) {
        g.writeName(ResponseKeys.PARALLEL_TOOL_CALLS);
        g.writeBoolean(parallelToolCalls);
        field(g, ResponseKeys.PREVIOUS_RESPONSE_ID, previousResponseId);
        g.writeName(ResponseKeys.REASONING);
        g.writeStartObject();
        g.writeName(ResponseKeys.EFFORT);
        g.writeNull();
        g.writeName(ResponseKeys.SUMMARY);
        g.writeNull();
        g.writeEndObject();
        g.writeName(ResponseKeys.STORE);
        g.writeBoolean(store);
        g.writeName(ResponseKeys.TEMPERATURE);
        g.writeNumber(temperature);
        g.writeName(ResponseKeys.TEXT);
        g.writeStartObject();
        g.writeName(ResponseKeys.FORMAT);
        if (textFormat == null) {
            g.writeStartObject();
            ResponseKeys.string(g, ResponseKeys.TYPE, "text");
            g.writeEndObject();
        } else {
            g.writeTree(textFormat);
        }
        g.writeEndObject();
        if (toolChoice == null) {
            ResponseKeys.string(g, ResponseKeys.TOOL_CHOICE, "auto");
        } else {
            field(g, ResponseKeys.TOOL_CHOICE, toolChoice);
        }
        field(g, ResponseKeys.TOOLS, tools);
        g.writeName(ResponseKeys.TOP_P);
        g.writeNumber(topP);
        ResponseKeys.string(g, ResponseKeys.TRUNCATION, "disabled");
    }

    /** Writes {@code "user","metadata"}. */
    void writeAfterUsage(JsonGenerator g) {
        field(g, ResponseKeys.USER, user);
        if (metadata == null) {
            g.writeName(ResponseKeys.METADATA);
            g.writeStartObject();
            g.writeEndObject();
        } else {
            field(g, ResponseKeys.METADATA, metadata);
        }
    }

    private static void field(JsonGenerator g, SerializableString name, JsonNode value) {
        g.writeName(name);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeTree(value);
        }
    }
}
