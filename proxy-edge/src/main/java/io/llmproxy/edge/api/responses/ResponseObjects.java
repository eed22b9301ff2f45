package io.llmproxy.edge.api.responses;

import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;
import tools.jackson.databind.JsonNode;

/**
 * The pieces of a Responses API {@code response} object
 * (https://platform.openai.com/docs/api-reference/responses/object), shared by the whole answer and
 * the stream's {@code response.*} events. They are written straight to a {@link JsonGenerator}, with
 * no JSON tree in between: the codec pays for the bytes the client gets and nothing else (issue #15's
 * speed target); a tree is only built from those bytes when a response is stored.
 */
final class ResponseObjects {

    private ResponseObjects() {
    }

    /**
     * Token counts of a response.
     *
     * @param input     {@code input_tokens} (cached included, as OpenAI counts them)
     * @param cached    {@code input_tokens_details.cached_tokens}
     * @param output    {@code output_tokens}
     * @param reasoning {@code output_tokens_details.reasoning_tokens}
     * @param total     {@code total_tokens}
     */
    record Usage(long input, long cached, long output, long reasoning, long total) {

        /** No tokens: the usage of a stream that ended before the provider reported any. */
        static final Usage NONE = new Usage(0, 0, 0, 0, 0);

        /**
         * @param canonical a canonical {@code usage} ({@code prompt_tokens}, {@code completion_tokens},
         *                  {@code total_tokens}, {@code prompt_tokens_details.cached_tokens},
         *                  {@code completion_tokens_details.reasoning_tokens}); missing counts are 0
         */
        static Usage of(JsonNode canonical) {
            long input = canonical.path("prompt_tokens").asLong(0);
            long output = canonical.path("completion_tokens").asLong(0);
            return new Usage(input, canonical.path("prompt_tokens_details").path("cached_tokens").asLong(0), output,
                    canonical.path("completion_tokens_details").path("reasoning_tokens").asLong(0),
                    canonical.path("total_tokens").asLong(input + output));
        }

        /** Writes {@code {"input_tokens","input_tokens_details":{"cached_tokens"},"output_tokens","output_tokens_details":{"reasoning_tokens"},"total_tokens"}}. */
        void write(JsonGenerator g) {
            g.writeStartObject();
            g.writeName(ResponseKeys.INPUT_TOKENS);
            g.writeNumber(input);
            g.writeName(ResponseKeys.INPUT_TOKENS_DETAILS);
            g.writeStartObject();
            g.writeName(ResponseKeys.CACHED_TOKENS);
            g.writeNumber(cached);
            g.writeEndObject();
            g.writeName(ResponseKeys.OUTPUT_TOKENS);
            g.writeNumber(output);
            g.writeName(ResponseKeys.OUTPUT_TOKENS_DETAILS);
            g.writeStartObject();
            g.writeName(ResponseKeys.REASONING_TOKENS);
            g.writeNumber(reasoning);
            g.writeEndObject();
            g.writeName(ResponseKeys.TOTAL_TOKENS);
            g.writeNumber(total);
            g.writeEndObject();
        }
    }

    /**
     * One output item: a {@code message} (one {@code output_text} part holding {@code text}) or a
     * {@code function_call} ({@code text} = its {@code arguments}).
     *
     * @param functionCall whether the item is a function call
     * @param id           {@code msg_…} or {@code fc_…}
     * @param status       {@code in_progress} or {@code completed}
     * @param callId       the provider's tool call id (function calls), else null
     * @param name         the function's name (function calls), else null
     */
    record OutputItem(boolean functionCall, String id, String status, String text, String callId, String name) {

        static OutputItem message(String id, String status, String text) {
            return new OutputItem(false, id, status, text, null, null);
        }

        static OutputItem functionCall(String id, String status, String callId, String name, String arguments) {
            return new OutputItem(true, id, status, arguments, callId, name);
        }

        /**
         * Writes {@code {"id","type":"message","status","role":"assistant","content":[output_text]}} (no part
         * when {@code withPart} is false: the item as a stream first announces it) or
         * {@code {"id","type":"function_call","status","arguments","call_id","name"}}.
         */
        void write(JsonGenerator g, boolean withPart) {
            g.writeStartObject();
            ResponseKeys.string(g, ResponseKeys.ID, id);
            if (functionCall) {
                ResponseKeys.string(g, ResponseKeys.TYPE, "function_call");
                ResponseKeys.string(g, ResponseKeys.STATUS, status);
                ResponseKeys.string(g, ResponseKeys.ARGUMENTS, text);
                ResponseKeys.string(g, ResponseKeys.CALL_ID, callId);
                ResponseKeys.string(g, ResponseKeys.NAME, name);
            } else {
                ResponseKeys.string(g, ResponseKeys.TYPE, "message");
                ResponseKeys.string(g, ResponseKeys.STATUS, status);
                ResponseKeys.string(g, ResponseKeys.ROLE, "assistant");
                g.writeName(ResponseKeys.CONTENT);
                g.writeStartArray();
                if (withPart) {
                    outputText(g, text);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
    }

    /** Writes {@code {"type":"output_text","annotations":[],"logprobs":[],"text"}}. */
    static void outputText(JsonGenerator g, String text) {
        g.writeStartObject();
        ResponseKeys.string(g, ResponseKeys.TYPE, "output_text");
        emptyArray(g, ResponseKeys.ANNOTATIONS);
        emptyArray(g, ResponseKeys.LOGPROBS);
        ResponseKeys.string(g, ResponseKeys.TEXT, text);
        g.writeEndObject();
    }

    /** Writes {@code "<name>":[]}. */
    static void emptyArray(JsonGenerator g, SerializableString name) {
        g.writeName(name);
        g.writeStartArray();
        g.writeEndArray();
    }

    /**
     * Writes {@code {"id","object":"response","created_at"(epoch s),"status","background","error",
     * "incomplete_details","instructions","max_output_tokens","model","output",…,"usage","user","metadata"}}.
     *
     * @param status           {@code in_progress}, {@code completed}, {@code incomplete} or {@code failed}
     * @param incompleteReason {@code max_output_tokens} / {@code content_filter} when incomplete, else null
     * @param output           the completed output items, in order
     * @param usage            the token counts, or null (not known yet)
     * @param errorCode        the {@code error.code} of a failed response, else null (then {@code "error":null})
     * @param errorMessage     the {@code error.message} of a failed response
     */
    static void response(JsonGenerator g, ResponsesCodec.Head head, String status, String incompleteReason,
                         List<OutputItem> output, Usage usage, String errorCode, String errorMessage) {
        g.writeStartObject();
        ResponseKeys.string(g, ResponseKeys.ID, head.id);
        ResponseKeys.string(g, ResponseKeys.OBJECT, "response");
        g.writeName(ResponseKeys.CREATED_AT);
        g.writeNumber(head.createdAt);
        ResponseKeys.string(g, ResponseKeys.STATUS, status);
        g.writeName(ResponseKeys.BACKGROUND);
        g.writeBoolean(false);
        g.writeName(ResponseKeys.ERROR);
        if (errorCode == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            ResponseKeys.string(g, ResponseKeys.CODE, errorCode);
            ResponseKeys.string(g, ResponseKeys.MESSAGE, errorMessage);
            g.writeEndObject();
        }
        g.writeName(ResponseKeys.INCOMPLETE_DETAILS);
        if (incompleteReason == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            ResponseKeys.string(g, ResponseKeys.REASON, incompleteReason);
            g.writeEndObject();
        }
        head.echo.writeBeforeModel(g);
        ResponseKeys.string(g, ResponseKeys.MODEL, head.model);
        g.writeName(ResponseKeys.OUTPUT);
        g.writeStartArray();
        for (OutputItem item : output) {
            item.write(g, true);
        }
        g.writeEndArray();
        head.echo.writeAfterOutput(g);
        g.writeName(ResponseKeys.USAGE);
        if (usage == null) {
            g.writeNull();
        } else {
            usage.write(g);
        }
        head.echo.writeAfterUsage(g);
        g.writeEndObject();
    }

    /** canonical {@code finish_reason} → {@code incomplete_details.reason}, or null when the response is complete */
    static String incompleteReason(String finishReason) {
        return switch (finishReason == null ? "" : finishReason) {
            case "length" -> "max_output_tokens";
            case "content_filter" -> "content_filter";
            default -> null;
        };
    }
}
