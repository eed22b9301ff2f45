package io.llmproxy.simulator.anthropic;

import io.llmproxy.simulator.core.CompletionPlan;
import io.llmproxy.simulator.core.StreamFault;
import io.llmproxy.simulator.core.ToolCall;
import io.llmproxy.simulator.http.PacedStream;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Renders one answer as an Anthropic {@code message} object or as its stream events
 * (https://docs.anthropic.com/en/api/messages, https://docs.anthropic.com/en/docs/build-with-claude/streaming).
 * Ids: {@code msg_} / {@code toolu_} + base-62 characters of the request hash.
 */
final class AnthropicWireFormat {

    private final JsonMapper mapper;
    private final CompletionPlan plan;
    private final ToolCall call;
    private final String model;
    private final int cached;

    AnthropicWireFormat(JsonMapper mapper, CompletionPlan plan, ToolCall call, String model, int cached) {
        this.mapper = mapper;
        this.plan = plan;
        this.call = call;
        this.model = model;
        this.cached = cached;
    }

    private String id() {
        return "msg_" + plan.idSuffix(24);
    }

    private String toolId() {
        return "toolu_" + call.idSuffix();
    }

    private int outputTokens() {
        return call == null ? plan.completionTokens() : 1 + call.completionTokens();
    }

    private ObjectNode usage(int output) {
        ObjectNode usage = mapper.createObjectNode();
        usage.put("input_tokens", plan.promptTokens() - cached);
        usage.put("cache_creation_input_tokens", 0);
        usage.put("cache_read_input_tokens", cached);
        usage.put("output_tokens", output);
        return usage;
    }

    byte[] message() {
        ObjectNode root = mapper.createObjectNode();
        root.put("id", id());
        root.put("type", "message");
        root.put("role", "assistant");
        root.put("model", model);
        ArrayNode content = root.putArray("content");
        if (call == null) {
            content.addObject().put("type", "text").put("text", plan.content());
        } else {
            content.addObject().put("type", "text").put("text", plan.tokens().get(0));
            ObjectNode tool = content.addObject();
            tool.put("type", "tool_use");
            tool.put("id", toolId());
            tool.put("name", call.name());
            tool.set("input", mapper.readTree(call.arguments()));
        }
        root.put("stop_reason", AnthropicRoutes.stopReason(plan, call));
        root.putNull("stop_sequence");
        root.set("usage", usage(outputTokens()));
        return mapper.writeValueAsBytes(root);
    }

    List<String> events(StreamFault fault) {
        List<String> events = new ArrayList<>();
        ObjectNode start = mapper.createObjectNode();
        start.put("type", "message_start");
        ObjectNode message = start.putObject("message");
        message.put("id", id());
        message.put("type", "message");
        message.put("role", "assistant");
        message.putArray("content");
        message.put("model", model);
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.set("usage", usage(1));
        events.add(event("message_start", start));
        ObjectNode blockStart = mapper.createObjectNode().put("type", "content_block_start").put("index", 0);
        blockStart.putObject("content_block").put("type", "text").put("text", "");
        events.add(event("content_block_start", blockStart));
        events.add(event("ping", mapper.createObjectNode().put("type", "ping")));

        List<String> deltas = new ArrayList<>();
        List<String> text = call == null ? plan.tokens() : List.of(plan.tokens().get(0));
        for (String token : text) {
            ObjectNode d = mapper.createObjectNode().put("type", "content_block_delta").put("index", 0);
            d.putObject("delta").put("type", "text_delta").put("text", token);
            deltas.add(event("content_block_delta", d));
        }
        List<String> toolStart = new ArrayList<>();
        if (call != null) {
            ObjectNode toolBlock = mapper.createObjectNode().put("type", "content_block_start").put("index", 1);
            ObjectNode block = toolBlock.putObject("content_block");
            block.put("type", "tool_use").put("id", toolId()).put("name", call.name());
            block.putObject("input");
            toolStart.add(event("content_block_start", toolBlock));
            for (String piece : call.argumentPieces()) {
                ObjectNode d = mapper.createObjectNode().put("type", "content_block_delta").put("index", 1);
                d.putObject("delta").put("type", "input_json_delta").put("partial_json", piece);
                deltas.add(event("content_block_delta", d));
            }
        }
        int textCount = text.size();
        int keep = fault == null ? deltas.size() : PacedStream.faultPoint(deltas.size());
        for (int i = 0; i < keep; i++) {
            if (i == textCount) {
                events.add(event("content_block_stop", mapper.createObjectNode().put("type", "content_block_stop").put("index", 0)));
                events.addAll(toolStart);
            }
            events.add(deltas.get(i));
        }
        if (fault != null) {
            if (fault == StreamFault.MIDSTREAM_ERROR) {
                ObjectNode error = mapper.createObjectNode().put("type", "error");
                error.putObject("error").put("type", "overloaded_error").put("message", "Overloaded");
                events.add(event("error", error));
            }
            return events;
        }
        events.add(event("content_block_stop", mapper.createObjectNode().put("type", "content_block_stop")
                .put("index", call == null ? 0 : 1)));
        ObjectNode messageDelta = mapper.createObjectNode().put("type", "message_delta");
        messageDelta.putObject("delta").put("stop_reason", AnthropicRoutes.stopReason(plan, call)).putNull("stop_sequence");
        messageDelta.putObject("usage").put("output_tokens", outputTokens());
        events.add(event("message_delta", messageDelta));
        events.add(event("message_stop", mapper.createObjectNode().put("type", "message_stop")));
        return events;
    }

    private String event(String name, ObjectNode data) {
        return "event: " + name + "\ndata: " + mapper.writeValueAsString(data) + "\n\n";
    }
}
