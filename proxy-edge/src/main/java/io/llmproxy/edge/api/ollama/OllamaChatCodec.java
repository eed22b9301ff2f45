package io.llmproxy.edge.api.ollama;

import io.llmproxy.edge.chat.CanonicalRequest;
import io.llmproxy.edge.gateway.GatewayError;
import io.llmproxy.edge.chat.ReencodingCodec;
import io.llmproxy.edge.chat.RequestChecks;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Ollama client format for {@code POST /api/chat} and {@code POST /api/generate}
 * (https://github.com/ollama/ollama/blob/main/docs/api.md). Ollama streams unless the request says
 * {@code "stream": false}; a stream is NDJSON ({@code application/x-ndjson}), one JSON object per line.
 *
 * <p><b>Request → canonical</b> (OpenAI chat): see {@link OllamaRequest} (messages, images, tool calls,
 * {@code format} and {@code options} mapped; other options and fields dropped).
 *
 * <p><b>Canonical → response</b>: {@code {"model","created_at","message":{"role":"assistant","content",
 * "tool_calls"?}|"response","done":true,"done_reason","total_duration","load_duration",
 * "prompt_eval_count","prompt_eval_duration","eval_count","eval_duration"}} where {@code model} is the
 * name the client asked for, {@code created_at} RFC 3339 UTC, durations in nanoseconds measured at the
 * edge ({@code load_duration} 0; {@code prompt_eval_duration} = time to the first streamed token, 0
 * without a stream; {@code eval_duration} = the rest), counts = the provider's prompt and completion
 * tokens; {@code done_reason} {@code length} for finish reason length, else {@code stop}. A stream
 * sends one line per content delta with {@code "done":false}, the tool calls in one line once they
 * are complete (their arguments as an object), then the final line with {@code "done":true} and the
 * figures above. Errors: {@code {"error":"…"}} with the HTTP status; a failed stream ends with an
 * {@code {"error":"…"}} line.
 */
public final class OllamaChatCodec extends ReencodingCodec {

    /** Which Ollama endpoint. */
    public enum Api {
        /** {@code POST /api/chat}: {@code message} objects; usage endpoint {@code ollama.chat}. */
        CHAT("ollama.chat"),
        /** {@code POST /api/generate}: {@code response} strings; usage endpoint {@code ollama.generate}. */
        GENERATE("ollama.generate");

        private final String endpoint;

        Api(String endpoint) {
            this.endpoint = endpoint;
        }
    }

    private final Api api;
    private final Clock clock;
    private final long startNanos = System.nanoTime();
    private final Map<Integer, String[]> toolCalls = new TreeMap<>();
    private final List<StringBuilder> toolArguments = new ArrayList<>();
    private long firstTokenNanos;
    private String model = "";
    private String doneReason;
    private long promptTokens;
    private long completionTokens;
    private boolean finished;

    public OllamaChatCodec(JsonMapper json, Api api, Clock clock) {
        super(json);
        this.api = api;
        this.clock = clock;
    }

    @Override
    public String endpoint() {
        return api.endpoint;
    }

    @Override
    public String missingKeyMessage() {
        return "unauthorized: this gateway needs an API key, sent as 'Authorization: Bearer <key>'";
    }

    @Override
    public CanonicalRequest canonical(byte[] bytes) {
        ObjectNode in = RequestChecks.object(json, bytes, "invalid request: the body must be a JSON object",
                "invalid character in request body: not valid JSON");
        model = RequestChecks.model(in, "model is required");
        return OllamaRequest.decode(json, api, in, model);
    }

    @Override
    public String streamContentType() {
        return "application/x-ndjson";
    }

    @Override
    public byte[] response(byte[] canonical) {
        JsonNode completion = json.readTree(canonical);
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");
        String text = message.path("content").isString() ? message.get("content").asString() : "";
        ObjectNode out = line();
        if (api == Api.CHAT) {
            ObjectNode m = out.putObject("message").put("role", "assistant").put("content", text);
            JsonNode calls = message.get("tool_calls");
            if (calls != null && calls.isArray() && !calls.isEmpty()) {
                ArrayNode ollama = m.putArray("tool_calls");
                for (JsonNode call : calls) {
                    ollama.add(toolCall(call.path("function").path("name").asString(""),
                            call.path("function").path("arguments").asString("")));
                }
            }
        } else {
            out.put("response", text);
        }
        doneReason = doneReason(choice.path("finish_reason").asString("stop"));
        promptTokens = completion.path("usage").path("prompt_tokens").asLong(0);
        completionTokens = completion.path("usage").path("completion_tokens").asLong(0);
        return json.writeValueAsBytes(done(out));
    }

    private ObjectNode toolCall(String name, String arguments) {
        ObjectNode call = json.createObjectNode();
        JsonNode parsed;
        try {
            parsed = arguments.isBlank() ? json.createObjectNode() : json.readTree(arguments);
        } catch (JacksonException e) {
            parsed = json.createObjectNode();
        }
        call.putObject("function").put("name", name).set("arguments", parsed);
        return call;
    }

    private static String doneReason(String finishReason) {
        return "length".equals(finishReason) ? "length" : "stop";
    }

    private ObjectNode line() {
        return json.createObjectNode().put("model", model).put("created_at", clock.instant().toString());
    }

    private ObjectNode done(ObjectNode out) {
        long now = System.nanoTime();
        long total = now - startNanos;
        long promptEval = firstTokenNanos == 0 ? 0 : firstTokenNanos - startNanos;
        out.put("done", true);
        out.put("done_reason", doneReason == null ? "stop" : doneReason);
        out.put("total_duration", total);
        out.put("load_duration", 0);
        out.put("prompt_eval_count", promptTokens);
        out.put("prompt_eval_duration", promptEval);
        out.put("eval_count", completionTokens);
        out.put("eval_duration", total - promptEval);
        return out;
    }


    @Override
    protected void chunk(JsonNode chunk, ByteArrayOutputStream out) {
        JsonNode usage = chunk.get("usage");
        if (usage != null && usage.isObject()) {
            promptTokens = usage.path("prompt_tokens").asLong(0);
            completionTokens = usage.path("completion_tokens").asLong(0);
        }
        for (JsonNode choice : chunk.path("choices")) {
            JsonNode delta = choice.path("delta");
            String text = delta.path("content").isString() ? delta.get("content").asString() : "";
            if (!text.isEmpty()) {
                if (firstTokenNanos == 0) {
                    firstTokenNanos = System.nanoTime();
                }
                emit(out, content(text));
            }
            for (JsonNode call : delta.path("tool_calls")) {
                int index = call.path("index").asInt(0);
                String[] known = toolCalls.get(index);
                if (known == null) {
                    known = new String[] {call.path("function").path("name").asString(""), Integer.toString(toolArguments.size())};
                    toolCalls.put(index, known);
                    toolArguments.add(new StringBuilder());
                    if (firstTokenNanos == 0) {
                        firstTokenNanos = System.nanoTime();
                    }
                }
                toolArguments.get(Integer.parseInt(known[1])).append(call.path("function").path("arguments").asString(""));
            }
            JsonNode finish = choice.get("finish_reason");
            if (finish != null && finish.isString()) {
                doneReason = doneReason(finish.asString());
                flushToolCalls(out);
            }
        }
    }

    private ObjectNode content(String text) {
        ObjectNode line = line();
        if (api == Api.CHAT) {
            line.putObject("message").put("role", "assistant").put("content", text);
        } else {
            line.put("response", text);
        }
        line.put("done", false);
        return line;
    }

    private void flushToolCalls(ByteArrayOutputStream out) {
        if (toolCalls.isEmpty() || api == Api.GENERATE) {
            toolCalls.clear();
            return;
        }
        ObjectNode line = line();
        ArrayNode calls = line.putObject("message").put("role", "assistant").put("content", "").putArray("tool_calls");
        for (String[] call : toolCalls.values()) {
            calls.add(toolCall(call[0], toolArguments.get(Integer.parseInt(call[1])).toString()));
        }
        line.put("done", false);
        toolCalls.clear();
        emit(out, line);
    }

    @Override
    protected void finish(ByteArrayOutputStream out) {
        if (finished) {
            return;
        }
        finished = true;
        flushToolCalls(out);
        ObjectNode line = line();
        if (api == Api.CHAT) {
            line.putObject("message").put("role", "assistant").put("content", "");
        } else {
            line.put("response", "");
        }
        emit(out, done(line));
    }

    private void emit(ByteArrayOutputStream out, ObjectNode line) {
        out.writeBytes(json.writeValueAsBytes(line));
        out.write('\n');
    }

    @Override
    public byte[] error(GatewayError error) {
        return json.writeValueAsBytes(json.createObjectNode().put("error", message(error)));
    }

    @Override
    public byte[] streamError(GatewayError error) {
        byte[] body = error(error);
        byte[] line = new byte[body.length + 1];
        System.arraycopy(body, 0, line, 0, body.length);
        line[body.length] = '\n';
        return line;
    }

    private String message(GatewayError error) {
        if ("model_not_found".equals(error.code())) {
            return "model '" + model + "' not found";
        }
        return error.message();
    }
}
