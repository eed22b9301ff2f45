package io.llmproxy.simulator.openai;

import io.llmproxy.simulator.core.CompletionPlan;
import io.llmproxy.simulator.core.StreamFault;
import io.llmproxy.simulator.core.ToolCall;
import io.llmproxy.simulator.http.PacedStream;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Chat completions in the OpenAI shape as OpenAI-compatible providers (Azure OpenAI, Mistral) send
 * them, with tool calls and stream faults; each dialect sets its {@link Dialect}. Token counts are
 * sim tokens; a tool-call answer costs {@link ToolCall#completionTokens()}.
 */
public final class OpenAiLikeFormat {

    /**
     * @param idPrefix             response id prefix ({@code chatcmpl-}, Mistral uses hex ids)
     * @param usageInLastChunk     usage rides on the finish chunk (Mistral), else in a separate
     *                             {@code "choices":[]} chunk when {@code include_usage} was asked (OpenAI, Azure)
     * @param promptFilterChunk    a leading {@code "choices":[]} chunk with {@code prompt_filter_results} (Azure)
     * @param wholeToolCallChunk   the tool call arrives in one chunk with all its arguments (Mistral), else
     *                             a header chunk (id, name, {@code ""}) followed by argument pieces (OpenAI, Azure)
     * @param toolIdLength         length of tool call ids after their prefix
     * @param toolIdPrefix         {@code call_} (OpenAI, Azure) or {@code ""} (Mistral's 9-character ids)
     */
    public record Dialect(String idPrefix, boolean usageInLastChunk, boolean promptFilterChunk, boolean wholeToolCallChunk,
                          String toolIdPrefix, int toolIdLength) {
    }

    private final JsonMapper mapper;
    private final Dialect dialect;

    public OpenAiLikeFormat(JsonMapper mapper, Dialect dialect) {
        this.mapper = mapper;
        this.dialect = dialect;
    }

    /** The first tool name of an OpenAI-like request ({@code tools[0].function.name}), or null. */
    public static String firstToolName(JsonNode request) {
        JsonNode name = request.path("tools").path(0).path("function").get("name");
        return name != null && name.isString() ? name.asString() : null;
    }

    /** Whether the last message of an OpenAI-like request is a tool result ({@code role: "tool"}). */
    public static boolean lastIsToolResult(JsonNode request) {
        JsonNode messages = request.path("messages");
        return messages.isArray() && !messages.isEmpty()
                && "tool".equals(messages.get(messages.size() - 1).path("role").asString(""));
    }

    private String toolId(ToolCall call) {
        return dialect.toolIdPrefix() + call.idSuffix().substring(0, dialect.toolIdLength());
    }

    /** The non-streamed {@code chat.completion} body. */
    public byte[] completion(CompletionPlan plan, ToolCall call, String model, long created) {
        ObjectNode root = header(plan, model, created, "chat.completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (call == null) {
            message.put("content", plan.content());
        } else {
            message.putNull("content");
            ObjectNode tc = message.putArray("tool_calls").addObject();
            tc.put("id", toolId(call));
            tc.put("type", "function");
            tc.putObject("function").put("name", call.name()).put("arguments", call.arguments());
        }
        choice.put("finish_reason", finishReason(plan, call));
        root.set("usage", usage(plan, call));
        return mapper.writeValueAsBytes(root);
    }

    /** The stream's events, rendered ({@code data: …\n\n}), ending in {@code data: [DONE]} unless faulted. */
    public List<String> streamEvents(CompletionPlan plan, ToolCall call, String model, long created, boolean includeUsage,
                                     StreamFault fault) {
        List<String> events = new ArrayList<>();
        if (dialect.promptFilterChunk()) {
            ObjectNode filter = mapper.createObjectNode();
            filter.putArray("choices");
            filter.put("created", 0);
            filter.put("id", "");
            filter.put("model", "");
            filter.put("object", "");
            ObjectNode result = filter.putArray("prompt_filter_results").addObject();
            result.put("prompt_index", 0);
            result.putObject("content_filter_results").putObject("hate").put("filtered", false).put("severity", "safe");
            events.add(data(filter));
        }
        ObjectNode role = chunk(plan, model, created);
        delta(role).put("role", "assistant").put("content", "");
        events.add(data(role));
        List<ObjectNode> content = new ArrayList<>();
        if (call == null) {
            for (String token : plan.tokens()) {
                ObjectNode c = chunk(plan, model, created);
                delta(c).put("content", token);
                content.add(c);
            }
        } else if (dialect.wholeToolCallChunk()) {
            ObjectNode c = chunk(plan, model, created);
            ObjectNode tc = delta(c).putArray("tool_calls").addObject();
            tc.put("id", toolId(call));
            tc.put("type", "function");
            tc.put("index", 0);
            tc.putObject("function").put("name", call.name()).put("arguments", call.arguments());
            content.add(c);
        } else {
            ObjectNode first = chunk(plan, model, created);
            ObjectNode tc = delta(first).putArray("tool_calls").addObject();
            tc.put("index", 0);
            tc.put("id", toolId(call));
            tc.put("type", "function");
            tc.putObject("function").put("name", call.name()).put("arguments", "");
            content.add(first);
            for (String piece : call.argumentPieces()) {
                ObjectNode c = chunk(plan, model, created);
                ObjectNode p = delta(c).putArray("tool_calls").addObject();
                p.put("index", 0);
                p.putObject("function").put("arguments", piece);
                content.add(c);
            }
        }
        if (fault != null) {
            int keep = PacedStream.faultPoint(content.size());
            content.subList(0, keep).forEach(c -> events.add(data(c)));
            if (fault == StreamFault.MIDSTREAM_ERROR) {
                ObjectNode error = mapper.createObjectNode();
                ObjectNode e = error.putObject("error");
                e.put("message", "The server had an error while processing your request (simulated mid-stream fault).");
                e.put("type", "server_error");
                e.putNull("param");
                e.putNull("code");
                events.add(data(error));
            }
            return events;
        }
        content.forEach(c -> events.add(data(c)));
        ObjectNode finish = chunk(plan, model, created);
        delta(finish);
        ((ObjectNode) finish.get("choices").get(0)).put("finish_reason", finishReason(plan, call));
        if (dialect.usageInLastChunk()) {
            finish.set("usage", usage(plan, call));
        }
        events.add(data(finish));
        if (includeUsage && !dialect.usageInLastChunk()) {
            ObjectNode usage = header(plan, model, created, "chat.completion.chunk");
            usage.putArray("choices");
            usage.set("usage", usage(plan, call));
            events.add(data(usage));
        }
        events.add(OpenAiWireFormat.DONE_EVENT);
        return events;
    }

    private static String finishReason(CompletionPlan plan, ToolCall call) {
        return call != null ? "tool_calls" : OpenAiWireFormat.finishReason(plan.finishReason());
    }

    private ObjectNode header(CompletionPlan plan, String model, long created, String object) {
        ObjectNode root = mapper.createObjectNode();
        root.put("id", dialect.idPrefix() + plan.idSuffix(29));
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        return root;
    }

    private ObjectNode chunk(CompletionPlan plan, String model, long created) {
        ObjectNode root = header(plan, model, created, "chat.completion.chunk");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.putNull("finish_reason");
        return root;
    }

    private static ObjectNode delta(ObjectNode chunk) {
        return (ObjectNode) chunk.get("choices").get(0).get("delta");
    }

    private ObjectNode usage(CompletionPlan plan, ToolCall call) {
        int completion = call == null ? plan.completionTokens() : call.completionTokens();
        ObjectNode usage = mapper.createObjectNode();
        usage.put("prompt_tokens", plan.promptTokens());
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", plan.promptTokens() + completion);
        return usage;
    }

    private String data(ObjectNode node) {
        return "data: " + mapper.writeValueAsString(node) + "\n\n";
    }
}
