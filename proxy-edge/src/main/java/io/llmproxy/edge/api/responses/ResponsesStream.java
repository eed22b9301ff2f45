package io.llmproxy.edge.api.responses;

import io.llmproxy.edge.stream.SseEncoder;
import java.io.ByteArrayOutputStream;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Canonical {@code chat.completion.chunk}s → the Responses API's typed stream
 * (https://platform.openai.com/docs/api-reference/responses-streaming), each event
 * {@code event: <type>\ndata: {"type",…,"sequence_number"}} with sequence numbers from 0:
 * {@code response.created}, {@code response.in_progress}; per text item
 * {@code response.output_item.added}, {@code response.content_part.added},
 * {@code response.output_text.delta}…, {@code response.output_text.done},
 * {@code response.content_part.done}, {@code response.output_item.done}; per function call
 * {@code response.output_item.added}, {@code response.function_call_arguments.delta}…,
 * {@code response.function_call_arguments.done}, {@code response.output_item.done}; then
 * {@code response.completed} (or {@code response.incomplete} when the token cap or a content
 * filter stopped it) carrying the whole response with usage. A failure ends with
 * {@code response.failed} ({@link #failed}). One object per stream.
 */
final class ResponsesStream {

    private final JsonMapper json;
    private final Function<String, String> ids;
    private final ResponsesCodec.Head head;
    private final ArrayNode output;
    private int sequence;
    private boolean started;
    /** open item: 0 none, 1 message, 2 function_call */
    private int open;
    private int openToolIndex = -1;
    private String itemId;
    private String callId;
    private String callName;
    private final StringBuilder text = new StringBuilder();
    private String finishReason;
    private ObjectNode usage;
    private ObjectNode finalResponse;

    ResponsesStream(JsonMapper json, Function<String, String> ids, ResponsesCodec.Head head) {
        this.json = json;
        this.ids = ids;
        this.head = head;
        this.output = json.createArrayNode();
    }

    /** Writes the events of one canonical chunk. */
    void chunk(JsonNode chunk, ByteArrayOutputStream out) {
        start(chunk, out);
        JsonNode u = chunk.get("usage");
        if (u != null && u.isObject()) {
            usage = ResponseObjects.usage(json, u);
        }
        for (JsonNode choice : chunk.path("choices")) {
            JsonNode delta = choice.path("delta");
            String piece = delta.path("content").isString() ? delta.get("content").asString()
                    : delta.path("refusal").isString() ? delta.get("refusal").asString() : "";
            if (!piece.isEmpty()) {
                if (open != 1) {
                    close(out);
                    open = 1;
                    itemId = ids.apply("msg_");
                    emit(out, "response.output_item.added", event("response.output_item.added")
                            .put("output_index", output.size())
                            .set("item", ResponseObjects.message(json, itemId, "in_progress", "", false)));
                    emit(out, "response.content_part.added", part("response.content_part.added")
                            .set("part", ResponseObjects.outputText(json, "")));
                }
                text.append(piece);
                emit(out, "response.output_text.delta", part("response.output_text.delta").put("delta", piece)
                        .set("logprobs", json.createArrayNode()));
            }
            for (JsonNode call : delta.path("tool_calls")) {
                int index = call.path("index").asInt(0);
                if (open != 2 || index != openToolIndex) {
                    close(out);
                    open = 2;
                    openToolIndex = index;
                    itemId = ids.apply("fc_");
                    callId = call.path("id").asString("");
                    callName = call.path("function").path("name").asString("");
                    emit(out, "response.output_item.added", event("response.output_item.added")
                            .put("output_index", output.size())
                            .set("item", ResponseObjects.functionCall(json, itemId, "in_progress", callId, callName, "")));
                }
                String arguments = call.path("function").path("arguments").asString("");
                if (!arguments.isEmpty()) {
                    text.append(arguments);
                    emit(out, "response.function_call_arguments.delta", event("response.function_call_arguments.delta")
                            .put("item_id", itemId).put("output_index", output.size()).put("delta", arguments));
                }
            }
            JsonNode finish = choice.get("finish_reason");
            if (finish != null && finish.isString()) {
                finishReason = finish.asString();
            }
        }
    }

    private void start(JsonNode chunk, ByteArrayOutputStream out) {
        if (started) {
            return;
        }
        started = true;
        if (head.model == null) {
            head.model = chunk.path("model").asString("");
        }
        ObjectNode created = ResponseObjects.response(json, head.id, head.createdAt, "in_progress", null, head.model,
                head.echo, json.createArrayNode(), null, null);
        emit(out, "response.created", event("response.created").set("response", created));
        emit(out, "response.in_progress", event("response.in_progress").set("response", created));
    }

    /** Closes the open item: its {@code .done} events, then {@code response.output_item.done}. */
    private void close(ByteArrayOutputStream out) {
        if (open == 1) {
            String done = text.toString();
            emit(out, "response.output_text.done", part("response.output_text.done").put("text", done)
                    .set("logprobs", json.createArrayNode()));
            emit(out, "response.content_part.done", part("response.content_part.done")
                    .set("part", ResponseObjects.outputText(json, done)));
            ObjectNode item = ResponseObjects.message(json, itemId, "completed", done, true);
            emit(out, "response.output_item.done", event("response.output_item.done").put("output_index", output.size())
                    .set("item", item));
            output.add(item);
        } else if (open == 2) {
            String arguments = text.toString();
            emit(out, "response.function_call_arguments.done", event("response.function_call_arguments.done")
                    .put("item_id", itemId).put("output_index", output.size()).put("name", callName).put("arguments", arguments));
            ObjectNode item = ResponseObjects.functionCall(json, itemId, "completed", callId, callName, arguments);
            emit(out, "response.output_item.done", event("response.output_item.done").put("output_index", output.size())
                    .set("item", item));
            output.add(item);
        }
        open = 0;
        openToolIndex = -1;
        text.setLength(0);
    }

    /** Writes the end of a complete stream: the open item's end, then {@code response.completed} or {@code response.incomplete}. */
    void finish(ByteArrayOutputStream out) {
        if (finalResponse != null) {
            return;
        }
        start(json.createObjectNode(), out);
        close(out);
        String incomplete = ResponseObjects.incompleteReason(finishReason);
        String status = incomplete == null ? "completed" : "incomplete";
        finalResponse = ResponseObjects.response(json, head.id, head.createdAt, status, incomplete, head.model, head.echo,
                output, usage != null ? usage : ResponseObjects.usage(json, json.createObjectNode()), null);
        String type = "response." + status;
        emit(out, type, event(type).set("response", finalResponse));
    }

    /** @return the bytes of a {@code response.failed} event ({@code error.code}, {@code error.message}) */
    byte[] failed(String code, String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        start(json.createObjectNode(), out);
        ObjectNode error = json.createObjectNode().put("code", code == null ? "server_error" : code).put("message", message);
        ObjectNode failed = ResponseObjects.response(json, head.id, head.createdAt, "failed", null, head.model, head.echo,
                output, usage, error);
        emit(out, "response.failed", event("response.failed").set("response", failed));
        return out.toByteArray();
    }

    /** @return the whole response once the stream completed (for storage), else null */
    ObjectNode finalResponse() {
        return finalResponse;
    }

    private ObjectNode event(String type) {
        return json.createObjectNode().put("type", type).put("sequence_number", sequence++);
    }

    private ObjectNode part(String type) {
        return event(type).put("item_id", itemId).put("output_index", output.size()).put("content_index", 0);
    }

    private void emit(ByteArrayOutputStream out, String type, ObjectNode data) {
        out.writeBytes(SseEncoder.event(type, json.writeValueAsString(data)));
    }
}
