package io.llmproxy.edge.api.responses;

import io.llmproxy.edge.chat.ClientRequestException;
import io.llmproxy.edge.chat.RequestChecks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@code POST /v1/responses} body (https://platform.openai.com/docs/api-reference/responses/create)
 * decoded into the canonical model (OpenAI chat completions).
 *
 * <p><b>Mapping</b>: {@code instructions} → a first {@code system} message (never carried over to
 * a continued response, as in OpenAI's API); {@code input} string → one user message; input items:
 * {@code message} (role user/system/developer/assistant; content a string or {@code input_text} /
 * {@code input_image} (URL or data URL) / {@code output_text} / {@code refusal} parts; developer →
 * system), {@code function_call} → an assistant {@code tool_calls} entry (consecutive calls share one
 * assistant message), {@code function_call_output} → a {@code tool} message, {@code reasoning} items
 * dropped; function tools {@code {type:"function",name,description,parameters,strict}} → chat
 * function tools; {@code tool_choice} auto/none/required/{@code {type:"function",name}};
 * {@code max_output_tokens} → {@code max_tokens}; {@code temperature}, {@code top_p},
 * {@code parallel_tool_calls}; {@code text.format} json_schema/json_object → {@code response_format};
 * {@code user} / {@code safety_identifier} → {@code user}; a stream asks for the usage chunk.
 *
 * <p><b>Refused with 400</b> ({@link ClientRequestException}, {@code param} = the field), before any
 * upstream call: built-in tools (web_search, file_search, code_interpreter, computer_use, mcp,
 * image_generation…), {@code background: true}, {@code conversation}, {@code prompt} templates,
 * {@code reasoning} settings, {@code include}, {@code truncation: "auto"}, {@code top_logprobs},
 * {@code max_tool_calls}, {@code input_image} by {@code file_id}, {@code input_file} and
 * {@code item_reference} items, a {@code previous_response_id} together with {@code conversation}.
 *
 * @param canonical          the canonical chat request body
 * @param model              the public model name
 * @param stream             whether a stream is wanted
 * @param store              whether the response is to be kept for {@code previous_response_id} (default true)
 * @param previousResponseId the response this one continues, or null
 * @param inputItems         the request's own input items (a string input as one user message item)
 * @param echo               the request fields a response object repeats ({@code instructions},
 *                           {@code tools}, {@code temperature}…) in OpenAI's response shape
 */
record ResponsesRequest(ObjectNode canonical, String model, boolean stream, boolean store, String previousResponseId,
                        ArrayNode inputItems, ResponseEcho echo) {

    /**
     * @throws ClientRequestException for a body OpenAI's API refuses or a field this gateway cannot honour
     */
    static ResponsesRequest decode(JsonMapper json, byte[] bytes) {
        ObjectNode in = RequestChecks.object(json, bytes, "The request body must be a JSON object.",
                "We could not parse the JSON body of your request.");
        String model = RequestChecks.model(in, "Missing required parameter: 'model'.");
        refuseUnsupported(in);
        boolean stream = RequestChecks.optionalBoolean(in, "stream", false, "Invalid type for 'stream': expected a boolean.");
        boolean store = RequestChecks.optionalBoolean(in, "store", true, "Invalid type for 'store': expected a boolean.");
        RequestChecks.optionalTokenCap(in, "max_output_tokens", "Invalid 'max_output_tokens': an integer from 1 to 2147483647 is required.");
        JsonNode previous = in.get("previous_response_id");
        if (previous != null && !previous.isNull() && (!previous.isString() || previous.asString().isBlank())) {
            throw new ClientRequestException("Invalid type for 'previous_response_id': expected a string.", "previous_response_id");
        }

        ObjectNode out = json.createObjectNode();
        out.put("model", model);
        ArrayNode messages = out.putArray("messages");
        JsonNode instructions = in.get("instructions");
        if (instructions != null && !instructions.isNull()) {
            if (!instructions.isString()) {
                throw new ClientRequestException("Invalid type for 'instructions': expected a string.", "instructions");
            }
            messages.addObject().put("role", "system").put("content", instructions.asString());
        }
        ArrayNode items = inputItems(json, in.get("input"));
        ResponsesItems.toMessages(json, items, messages);
        JsonNode maxTokens = in.get("max_output_tokens");
        if (maxTokens != null && maxTokens.isInt()) {
            out.put("max_tokens", maxTokens.asInt());
        }
        copyNumber(in, "temperature", out);
        copyNumber(in, "top_p", out);
        JsonNode parallel = in.get("parallel_tool_calls");
        if (parallel != null && parallel.isBoolean() && !parallel.asBoolean()) {
            out.put("parallel_tool_calls", false);
        }
        JsonNode user = in.hasNonNull("safety_identifier") ? in.get("safety_identifier") : in.get("user");
        if (user != null && user.isString()) {
            out.put("user", user.asString());
        }
        ArrayNode echoTools = tools(json, in.get("tools"), out);
        toolChoice(in.get("tool_choice"), out);
        textFormat(json, in.path("text").path("format"), out);
        if (stream) {
            out.put("stream", true);
            out.putObject("stream_options").put("include_usage", true);
        }
        return new ResponsesRequest(out, model, stream, store,
                previous == null || previous.isNull() ? null : previous.asString(), items, ResponseEcho.of(in, echoTools));
    }

    private static void refuseUnsupported(ObjectNode in) {
        if (in.path("background").asBoolean(false)) {
            refuse("background", "Background responses are not supported by this gateway.");
        }
        for (String field : new String[] {"conversation", "prompt", "reasoning", "top_logprobs", "max_tool_calls"}) {
            JsonNode value = in.get(field);
            if (value != null && !value.isNull() && !(value.isObject() && value.isEmpty())) {
                refuse(field, "'" + field + "' is not supported by this gateway.");
            }
        }
        JsonNode include = in.get("include");
        if (include != null && !include.isNull() && !(include.isArray() && include.isEmpty())) {
            refuse("include", "'include' is not supported by this gateway.");
        }
        JsonNode truncation = in.get("truncation");
        if (truncation != null && !truncation.isNull() && !"disabled".equals(truncation.asString(""))) {
            refuse("truncation", "Only truncation 'disabled' is supported by this gateway.");
        }
    }

    static void refuse(String param, String message) {
        throw new ClientRequestException(message, param);
    }

    /** @return the input as items; a string input becomes one user message item */
    private static ArrayNode inputItems(JsonMapper json, JsonNode input) {
        if (input == null || input.isNull()) {
            throw new ClientRequestException("Missing required parameter: 'input'.", "input");
        }
        if (input.isString()) {
            ArrayNode items = json.createArrayNode();
            ObjectNode message = items.addObject().put("type", "message").put("role", "user");
            message.putArray("content").addObject().put("type", "input_text").put("text", input.asString());
            return items;
        }
        if (!input.isArray() || input.isEmpty()) {
            throw new ClientRequestException("Invalid 'input': expected a string or a non-empty array of input items.", "input");
        }
        return (ArrayNode) input;
    }

    private static ArrayNode tools(JsonMapper json, JsonNode tools, ObjectNode out) {
        ArrayNode echo = json.createArrayNode();
        if (tools == null || tools.isNull()) {
            return echo;
        }
        if (!tools.isArray()) {
            refuse("tools", "Invalid type for 'tools': expected an array.");
        }
        if (tools.isEmpty()) {
            return echo;
        }
        ArrayNode functions = out.putArray("tools");
        for (JsonNode tool : tools) {
            String type = tool.path("type").asString("");
            if (!"function".equals(type)) {
                refuse("tools", "Tool type '" + type + "' is not supported by this gateway: only function tools are.");
            }
            if (!tool.path("name").isString() || tool.get("name").asString().isBlank()) {
                refuse("tools", "Missing required parameter: 'tools[].name'.");
            }
            JsonNode parameters = tool.get("parameters");
            if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
                refuse("tools", "Invalid 'tools[].parameters': expected a JSON Schema object.");
            }
            ObjectNode function = functions.addObject().put("type", "function").putObject("function");
            function.put("name", tool.get("name").asString());
            if (tool.path("description").isString()) {
                function.put("description", tool.get("description").asString());
            }
            if (parameters != null && parameters.isObject()) {
                function.set("parameters", parameters);
            }
            if (tool.path("strict").isBoolean()) {
                function.put("strict", tool.get("strict").asBoolean());
            }
            ObjectNode e = echo.addObject().put("type", "function").put("name", tool.get("name").asString());
            e.set("description", tool.hasNonNull("description") ? tool.get("description") : null);
            e.set("parameters", parameters);
            e.put("strict", tool.path("strict").asBoolean(false));
        }
        return echo;
    }

    private static void toolChoice(JsonNode choice, ObjectNode out) {
        if (choice == null || choice.isNull()) {
            return;
        }
        if (choice.isString()) {
            String mode = choice.asString();
            if (!"auto".equals(mode) && !"none".equals(mode) && !"required".equals(mode)) {
                refuse("tool_choice", "Invalid 'tool_choice': expected 'auto', 'none', 'required' or a function.");
            }
            out.put("tool_choice", mode);
            return;
        }
        if (!"function".equals(choice.path("type").asString("")) || !choice.path("name").isString()) {
            refuse("tool_choice", "Only 'auto', 'none', 'required' and {\"type\":\"function\",\"name\"} tool choices "
                    + "are supported by this gateway.");
        }
        out.putObject("tool_choice").put("type", "function").putObject("function").put("name", choice.get("name").asString());
    }

    private static void textFormat(JsonMapper json, JsonNode format, ObjectNode out) {
        switch (format.path("type").asString("text")) {
            case "text" -> {
            }
            case "json_object" -> out.putObject("response_format").put("type", "json_object");
            case "json_schema" -> {
                ObjectNode schema = out.putObject("response_format").put("type", "json_schema").putObject("json_schema");
                schema.put("name", format.path("name").asString("response"));
                if (format.hasNonNull("description")) {
                    schema.set("description", format.get("description"));
                }
                schema.set("schema", format.hasNonNull("schema") ? format.get("schema") : json.createObjectNode());
                if (format.path("strict").isBoolean()) {
                    schema.put("strict", format.get("strict").asBoolean());
                }
            }
            default -> refuse("text.format", "Unsupported 'text.format' type '" + format.path("type").asString() + "'.");
        }
    }

    private static void copyNumber(JsonNode in, String field, ObjectNode out) {
        JsonNode value = in.get(field);
        if (value != null && !value.isNull()) {
            if (!value.isNumber()) {
                refuse(field, "Invalid type for '" + field + "': expected a number.");
            }
            out.set(field, value);
        }
    }
}
