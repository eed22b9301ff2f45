package io.llmproxy.edge.api.responses;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pieces of a Responses API {@code response} object
 * (https://platform.openai.com/docs/api-reference/responses/object), shared by the whole answer and
 * the stream's {@code response.*} events.
 */
final class ResponseObjects {

    private ResponseObjects() {
    }

    /**
     * @param status            {@code in_progress}, {@code completed}, {@code incomplete} or {@code failed}
     * @param incompleteReason  {@code max_output_tokens} / {@code content_filter} when incomplete, else null
     * @param echo              the request's echoed fields ({@link ResponsesRequest#echo()})
     * @param usage             {@link #usage}, or null (not known yet)
     * @param error             {@code {"code","message"}} of a failed response, or null
     * @return {@code {"id","object":"response","created_at"(epoch s),"status","error","incomplete_details",
     *         "instructions","max_output_tokens","model","output",…,"usage","user","metadata"}}
     */
    static ObjectNode response(JsonMapper json, String id, long createdAt, String status, String incompleteReason,
                               String model, ObjectNode echo, ArrayNode output, ObjectNode usage, ObjectNode error) {
        ObjectNode r = json.createObjectNode();
        r.put("id", id);
        r.put("object", "response");
        r.put("created_at", createdAt);
        r.put("status", status);
        r.put("background", false);
        r.set("error", error);
        if (incompleteReason == null) {
            r.putNull("incomplete_details");
        } else {
            r.putObject("incomplete_details").put("reason", incompleteReason);
        }
        r.set("instructions", echo.get("instructions"));
        r.set("max_output_tokens", echo.get("max_output_tokens"));
        r.put("model", model);
        r.set("output", output);
        r.set("parallel_tool_calls", echo.get("parallel_tool_calls"));
        r.set("previous_response_id", echo.get("previous_response_id"));
        r.set("reasoning", echo.get("reasoning"));
        r.set("store", echo.get("store"));
        r.set("temperature", echo.get("temperature"));
        r.set("text", echo.get("text"));
        r.set("tool_choice", echo.get("tool_choice"));
        r.set("tools", echo.get("tools"));
        r.set("top_p", echo.get("top_p"));
        r.set("truncation", echo.get("truncation"));
        r.set("usage", usage);
        r.set("user", echo.get("user"));
        r.set("metadata", echo.get("metadata"));
        return r;
    }

    /**
     * @param canonicalUsage a canonical {@code usage} ({@code prompt_tokens}, {@code completion_tokens},
     *                       {@code prompt_tokens_details.cached_tokens}, {@code completion_tokens_details.reasoning_tokens})
     * @return {@code {"input_tokens","input_tokens_details":{"cached_tokens"},"output_tokens",
     *         "output_tokens_details":{"reasoning_tokens"},"total_tokens"}} (tokens)
     */
    static ObjectNode usage(JsonMapper json, JsonNode canonicalUsage) {
        long input = canonicalUsage.path("prompt_tokens").asLong(0);
        long output = canonicalUsage.path("completion_tokens").asLong(0);
        ObjectNode u = json.createObjectNode();
        u.put("input_tokens", input);
        u.putObject("input_tokens_details").put("cached_tokens",
                canonicalUsage.path("prompt_tokens_details").path("cached_tokens").asLong(0));
        u.put("output_tokens", output);
        u.putObject("output_tokens_details").put("reasoning_tokens",
                canonicalUsage.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
        u.put("total_tokens", canonicalUsage.path("total_tokens").asLong(input + output));
        return u;
    }

    /** @return {@code {"id","type":"message","status","role":"assistant","content":[output_text…]}} */
    static ObjectNode message(JsonMapper json, String id, String status, String text, boolean withPart) {
        ObjectNode item = json.createObjectNode();
        item.put("id", id);
        item.put("type", "message");
        item.put("status", status);
        item.put("role", "assistant");
        ArrayNode content = item.putArray("content");
        if (withPart) {
            content.add(outputText(json, text));
        }
        return item;
    }

    /** @return {@code {"type":"output_text","annotations":[],"logprobs":[],"text"}} */
    static ObjectNode outputText(JsonMapper json, String text) {
        ObjectNode part = json.createObjectNode().put("type", "output_text");
        part.putArray("annotations");
        part.putArray("logprobs");
        part.put("text", text);
        return part;
    }

    /** @return {@code {"id","type":"function_call","status","arguments","call_id","name"}} */
    static ObjectNode functionCall(JsonMapper json, String id, String status, String callId, String name, String arguments) {
        return json.createObjectNode().put("id", id).put("type", "function_call").put("status", status)
                .put("arguments", arguments).put("call_id", callId).put("name", name);
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
