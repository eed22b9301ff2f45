package io.llmproxy.edge.api.responses;

import io.llmproxy.edge.api.responses.ResponseObjects.OutputItem;
import io.llmproxy.edge.api.responses.ResponseObjects.Usage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
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
 *
 * <p>Events are written with a {@link JsonGenerator} straight into the output buffer (no tree per
 * event); the completed response's bytes are kept, and parsed into a tree only if it is stored.
 */
final class ResponsesStream {

    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    /** The fields one event adds after {@code type} and {@code sequence_number}. */
    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator g);
    }

    private final JsonMapper json;
    private final Function<String, String> ids;
    private final ResponsesCodec.Head head;
    private final List<OutputItem> output = new ArrayList<>(2);
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
    private Usage usage;
    private byte[] finalBytes;
    private ObjectNode finalResponse;

    ResponsesStream(JsonMapper json, Function<String, String> ids, ResponsesCodec.Head head) {
        this.json = json;
        this.ids = ids;
        this.head = head;
    }

    /** Writes the events of one canonical chunk. */
    void chunk(JsonNode chunk, ByteArrayOutputStream out) {
        start(chunk, out);
        JsonNode u = chunk.get("usage");
        if (u != null && u.isObject()) {
            usage = Usage.of(u);
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
                    OutputItem added = OutputItem.message(itemId, "in_progress", "");
                    emit(out, "response.output_item.added", g -> item(g, added, false));
                    emit(out, "response.content_part.added", g -> {
                        part(g);
                        g.writeName(ResponseKeys.PART);
                        ResponseObjects.outputText(g, "");
                    });
                }
                text.append(piece);
                emit(out, "response.output_text.delta", g -> {
                    part(g);
                    ResponseKeys.string(g, ResponseKeys.DELTA, piece);
                    ResponseObjects.emptyArray(g, ResponseKeys.LOGPROBS);
                });
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
                    OutputItem added = OutputItem.functionCall(itemId, "in_progress", callId, callName, "");
                    emit(out, "response.output_item.added", g -> item(g, added, false));
                }
                String arguments = call.path("function").path("arguments").asString("");
                if (!arguments.isEmpty()) {
                    text.append(arguments);
                    emit(out, "response.function_call_arguments.delta", g -> {
                        ResponseKeys.string(g, ResponseKeys.ITEM_ID, itemId);
                        g.writeName(ResponseKeys.OUTPUT_INDEX);
                        g.writeNumber(output.size());
                        ResponseKeys.string(g, ResponseKeys.DELTA, arguments);
                    });
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
        Body created = g -> {
            g.writeName(ResponseKeys.RESPONSE);
            ResponseObjects.response(g, head, "in_progress", null, List.of(), null, null, null);
        };
        emit(out, "response.created", created);
        emit(out, "response.in_progress", created);
    }

    /** Closes the open item: its {@code .done} events, then {@code response.output_item.done}. */
    private void close(ByteArrayOutputStream out) {
        if (open == 1) {
            String done = text.toString();
            emit(out, "response.output_text.done", g -> {
                part(g);
                ResponseKeys.string(g, ResponseKeys.TEXT, done);
                ResponseObjects.emptyArray(g, ResponseKeys.LOGPROBS);
            });
            emit(out, "response.content_part.done", g -> {
                part(g);
                g.writeName(ResponseKeys.PART);
                ResponseObjects.outputText(g, done);
            });
            itemDone(out, OutputItem.message(itemId, "completed", done));
        } else if (open == 2) {
            String arguments = text.toString();
            emit(out, "response.function_call_arguments.done", g -> {
                ResponseKeys.string(g, ResponseKeys.ITEM_ID, itemId);
                g.writeName(ResponseKeys.OUTPUT_INDEX);
                g.writeNumber(output.size());
                ResponseKeys.string(g, ResponseKeys.NAME, callName);
                ResponseKeys.string(g, ResponseKeys.ARGUMENTS, arguments);
            });
            itemDone(out, OutputItem.functionCall(itemId, "completed", callId, callName, arguments));
        }
        open = 0;
        openToolIndex = -1;
        text.setLength(0);
    }

    private void itemDone(ByteArrayOutputStream out, OutputItem item) {
        emit(out, "response.output_item.done", g -> item(g, item, true));
        output.add(item);
    }

    /** Writes the end of a complete stream: the open item's end, then {@code response.completed} or {@code response.incomplete}. */
    void finish(ByteArrayOutputStream out) {
        if (finalBytes != null) {
            return;
        }
        start(json.createObjectNode(), out);
        close(out);
        String incomplete = ResponseObjects.incompleteReason(finishReason);
        String status = incomplete == null ? "completed" : "incomplete";
        ByteArrayOutputStream response = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = json.createGenerator(response)) {
            ResponseObjects.response(g, head, status, incomplete, output, usage != null ? usage : Usage.NONE, null, null);
        }
        finalBytes = response.toByteArray();
        String type = "response." + status;
        // the response object is already JSON: frame it, rather than write it a second time
        out.writeBytes(EVENT);
        out.writeBytes(type.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(DATA);
        out.writeBytes(("{\"type\":\"" + type + "\",\"sequence_number\":" + sequence++ + ",\"response\":")
                .getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(finalBytes);
        out.write('}');
        out.writeBytes(END);
    }

    /** @return the bytes of a {@code response.failed} event ({@code error.code}, {@code error.message}) */
    byte[] failed(String code, String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        start(json.createObjectNode(), out);
        emit(out, "response.failed", g -> {
            g.writeName(ResponseKeys.RESPONSE);
            ResponseObjects.response(g, head, "failed", null, output, usage, code == null ? "server_error" : code,
                    message);
        });
        return out.toByteArray();
    }

    /** @return whether the stream completed, so that {@link #finalResponse()} has the whole response */
    boolean completed() {
        return finalBytes != null;
    }

    /** @return the whole response once the stream completed (for storage; parsed once), else null */
    ObjectNode finalResponse() {
        if (finalResponse == null && finalBytes != null) {
            finalResponse = (ObjectNode) json.readTree(finalBytes);
        }
        return finalResponse;
    }

    /** Writes {@code "item_id","output_index","content_index":0} of a content part event. */
    private void part(JsonGenerator g) {
        ResponseKeys.string(g, ResponseKeys.ITEM_ID, itemId);
        g.writeName(ResponseKeys.OUTPUT_INDEX);
        g.writeNumber(output.size());
        g.writeName(ResponseKeys.CONTENT_INDEX);
        g.writeNumber(0);
    }

    private void item(JsonGenerator g, OutputItem item, boolean withPart) {
        g.writeName(ResponseKeys.OUTPUT_INDEX);
        g.writeNumber(output.size());
        g.writeName(ResponseKeys.ITEM);
        item.write(g, withPart);
    }

    /** Writes {@code event: <type>\ndata: {"type","sequence_number",<body>}\n\n}; JSON output has no newline. */
    private void emit(ByteArrayOutputStream out, String type, Body body) {
        out.writeBytes(EVENT);
        out.writeBytes(type.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(DATA);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            ResponseKeys.string(g, ResponseKeys.TYPE, type);
            g.writeName(ResponseKeys.SEQUENCE_NUMBER);
            g.writeNumber(sequence++);
            body.write(g);
            g.writeEndObject();
        }
        out.writeBytes(END);
    }
}
