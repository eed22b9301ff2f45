package io.llmproxy.simulator.cohere;

import io.llmproxy.simulator.core.CompletionPlan;
import io.llmproxy.simulator.core.CompletionPlanner;
import io.llmproxy.simulator.core.FinishReason;
import io.llmproxy.simulator.core.LatencyProfile;
import io.llmproxy.simulator.core.NormalizedChatRequest;
import io.llmproxy.simulator.core.NormalizedMessage;
import io.llmproxy.simulator.core.SimEmbeddings;
import io.llmproxy.simulator.core.SimScenario;
import io.llmproxy.simulator.http.PacedStream;
import static io.llmproxy.simulator.http.PacedStream.after;
import static io.llmproxy.simulator.http.PacedStream.delayed;
import io.llmproxy.simulator.core.SimTokenizer;
import io.llmproxy.simulator.http.SimulatorKnobs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Cohere API v2 endpoints:
 * <ul>
 *   <li>{@code POST /v2/chat} (https://docs.cohere.com/reference/chat): {@code {"model","messages":[{"role",
 *       "content":string|[{"type":"text","text"}|{"type":"image_url",…}]}],"tools"?,"stream"?,"max_tokens"?}}.
 *       Not streamed: {@code {"id","finish_reason":"COMPLETE"|"MAX_TOKENS"|"TOOL_CALL","message":{"role":"assistant",
 *       "content":[{"type":"text","text"}]},"usage":{"billed_units":{"input_tokens","output_tokens"},
 *       "tokens":{"input_tokens","output_tokens"}}}}, where {@code billed_units} are sim tokens and
 *       {@code tokens.input_tokens} adds {@value #TEMPLATE_TOKENS} (Cohere's prompt template, not billed).
 *       Streamed (https://docs.cohere.com/reference/chat-stream): SSE events {@code event: <type>} +
 *       {@code data: {"type":<type>,…}}: {@code message-start}, {@code content-start}, one
 *       {@code content-delta} per token, {@code content-end}, {@code message-end} with
 *       {@code delta.finish_reason} and {@code delta.usage}. A tool call ({@link SimScenario}):
 *       {@code message.tool_plan} and {@code message.tool_calls:[{"id","type":"function","function":{"name",
 *       "arguments":"{\"query\":…}"}}]}, finish {@code TOOL_CALL}; streamed as {@code tool-plan-delta},
 *       {@code tool-call-start} (arguments ""), {@code tool-call-delta}s carrying the arguments in pieces
 *       of up to {@value #ARGUMENT_PIECE} characters, {@code tool-call-end}, {@code message-end}. A
 *       mid-stream error is {@code message-end} with {@code finish_reason "ERROR"}.</li>
 *   <li>{@code POST /v2/embed} (https://docs.cohere.com/reference/embed): {@code {"model","texts","input_type",
 *       "embedding_types"?,"output_dimension"?}} ({@code input_type} required) →
 *       {@code {"id","embeddings":{"float":[[…]]},"texts","meta":{"api_version":{"version":"2"},
 *       "billed_units":{"input_tokens"}},"response_type":"embeddings_by_type"}}.</li>
 * </ul>
 */
public final class CohereHandler {

    /** Tokens Cohere's prompt template adds to {@code usage.tokens.input_tokens} (not billed). */
    public static final int TEMPLATE_TOKENS = 7;
    /** Largest piece of tool-call arguments in one {@code tool-call-delta}, characters. */
    public static final int ARGUMENT_PIECE = 8;

    private final SimulatorKnobs knobs;
    private final JsonMapper json;

    public CohereHandler(SimulatorKnobs knobs, JsonMapper json) {
        this.knobs = knobs;
        this.json = json;
    }

    /** {@code POST /v2/chat}. */
    public Mono<ServerResponse> chat(ServerRequest request) {
        return Mono.defer(() -> {
            LatencyProfile latency = knobs.latency(request.headers().asHttpHeaders());
            String faultHeader = request.headers().firstHeader(SimScenario.FAULT_HEADER);
            return request.bodyToMono(byte[].class).defaultIfEmpty(new byte[0])
                    .flatMap(bytes -> chat(parse(bytes), faultHeader, latency));
        });
    }

    private Mono<ServerResponse> chat(JsonNode body, String faultHeader, LatencyProfile baseLatency) {
        String model = requiredString(body, "model");
        SimulatorKnobs.forcedStatus(model).ifPresent(status -> {
            throw CohereApiException.forStatus(status);
        });
        JsonNode messagesNode = body.get("messages");
        if (messagesNode == null || !messagesNode.isArray() || messagesNode.isEmpty()) {
            throw new CohereApiException(400, "invalid request: messages must not be empty");
        }
        List<NormalizedMessage> messages = new ArrayList<>();
        for (JsonNode m : messagesNode) {
            JsonNode content = m.get("content");
            List<String> texts = new ArrayList<>();
            int images = 0;
            if (content != null && content.isString()) {
                texts.add(content.asString());
            } else if (content != null && content.isArray()) {
                for (JsonNode part : content) {
                    if ("image_url".equals(part.path("type").asString(""))) {
                        images++;
                    } else if (part.has("text")) {
                        texts.add(part.path("text").asString(""));
                    }
                }
            }
            messages.add(new NormalizedMessage(m.path("role").asString("user"), texts, images));
        }
        JsonNode max = body.get("max_tokens");
        Integer limit = max != null && max.isNumber() && max.asInt() > 0 ? max.asInt() : null;
        boolean stream = body.path("stream").asBoolean(false);
        JsonNode tools = body.get("tools");
        SimScenario scenario;
        try {
            scenario = SimScenario.of(model, faultHeader, tools != null && tools.isArray() && !tools.isEmpty());
        } catch (IllegalArgumentException e) {
            throw new CohereApiException(400, "invalid request: " + e.getMessage());
        }
        CompletionPlan plan = CompletionPlanner.plan(new NormalizedChatRequest(model, messages, limit));
        LatencyProfile latency = SimulatorKnobs.latency(model, baseLatency);
        String id = uuid(plan);
        if (scenario.toolCall()) {
            String name = tools.get(0).path("function").path("name").asString("tool");
            String arguments = json.writeValueAsString(json.createObjectNode().put("query", SimScenario.lastUserText(messages)));
            String callId = name + "_" + plan.idSuffix(8).toLowerCase(java.util.Locale.ROOT);
            String toolPlan = "I will call " + name + ".";
            int output = SimTokenizer.count(toolPlan) + SimTokenizer.count(arguments);
            if (!stream) {
                ObjectNode out = json.createObjectNode();
                out.put("id", id);
                out.put("finish_reason", "TOOL_CALL");
                ObjectNode message = out.putObject("message");
                message.put("role", "assistant");
                message.put("tool_plan", toolPlan);
                ObjectNode call = message.putArray("tool_calls").addObject();
                call.put("id", callId);
                call.put("type", "function");
                call.putObject("function").put("name", name).put("arguments", arguments);
                out.set("usage", usage(plan.promptTokens(), output));
                return after(latency.ttft(), ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(out));
            }
            List<Supplier<String>> events = new ArrayList<>();
            events.add(() -> messageStart(id));
            events.add(() -> event("tool-plan-delta", delta(json.createObjectNode().put("tool_plan", toolPlan))));
            events.add(() -> {
                ObjectNode call = json.createObjectNode();
                call.put("id", callId);
                call.put("type", "function");
                call.putObject("function").put("name", name).put("arguments", "");
                ObjectNode data = delta(json.createObjectNode().set("tool_calls", call));
                data.put("index", 0);
                return event("tool-call-start", data);
            });
            for (int i = 0; i < arguments.length(); i += ARGUMENT_PIECE) {
                String piece = arguments.substring(i, Math.min(arguments.length(), i + ARGUMENT_PIECE));
                events.add(() -> {
                    ObjectNode calls = json.createObjectNode();
                    calls.putObject("function").put("arguments", piece);
                    ObjectNode data = delta(json.createObjectNode().set("tool_calls", calls));
                    data.put("index", 0);
                    return event("tool-call-delta", data);
                });
            }
            events.add(() -> event("tool-call-end", json.createObjectNode().put("index", 0)));
            events.add(() -> messageEnd("TOOL_CALL", plan.promptTokens(), output));
            return PacedStream.flushed(Flux.range(0, events.size()).concatMap(i ->
                    delayed(i == 0 ? latency.ttft() : latency.interToken(), events.get(i))), MediaType.TEXT_EVENT_STREAM);
        }
        String finish = plan.finishReason() == FinishReason.LENGTH ? "MAX_TOKENS" : "COMPLETE";
        if (!stream) {
            ObjectNode out = json.createObjectNode();
            out.put("id", id);
            out.put("finish_reason", finish);
            ObjectNode message = out.putObject("message");
            message.put("role", "assistant");
            message.putArray("content").addObject().put("type", "text").put("text", plan.content());
            out.set("usage", usage(plan.promptTokens(), plan.completionTokens()));
            return after(latency.totalDelay(plan.completionTokens()),
                    ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(out));
        }
        int n = scenario.fault() == SimScenario.Fault.NONE ? plan.completionTokens() : SimScenario.tokensBeforeFault(plan.completionTokens());
        Flux<String> head = delayed(latency.ttft(), () -> messageStart(id) + event("content-start",
                contentDelta(json.createObjectNode().put("type", "text").put("text", "")))).flux();
        Flux<String> tokens = Flux.range(0, n).concatMap(i -> delayed(i == 0 ? Duration.ZERO : latency.interToken(),
                () -> event("content-delta", contentDelta(json.createObjectNode().put("text", plan.tokens().get(i))))));
        Flux<String> end = switch (scenario.fault()) {
            case NONE -> delayed(latency.interToken(), () -> event("content-end", json.createObjectNode().put("index", 0))
                    + messageEnd(finish, plan.promptTokens(), plan.completionTokens())).flux();
            case MIDSTREAM_ERROR -> Flux.just(messageEnd("ERROR", plan.promptTokens(), n));
            case CUT -> Flux.empty();
        };
        return PacedStream.flushed(Flux.concat(head, tokens, end), MediaType.TEXT_EVENT_STREAM);
    }

    /** {@code POST /v2/embed}. */
    public Mono<ServerResponse> embed(ServerRequest request) {
        return request.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(bytes -> {
            JsonNode body = parse(bytes);
            String model = requiredString(body, "model");
            SimulatorKnobs.forcedStatus(model).ifPresent(status -> {
                throw CohereApiException.forStatus(status);
            });
            if (!body.path("input_type").isString()) {
                throw new CohereApiException(400, "invalid request: input_type is required for Embed v3 and newer models");
            }
            JsonNode textsNode = body.get("texts");
            if (textsNode == null || !textsNode.isArray() || textsNode.isEmpty()) {
                throw new CohereApiException(400, "invalid request: texts must be a non-empty list of strings");
            }
            int dimensions = body.path("output_dimension").asInt(SimEmbeddings.DEFAULT_DIMENSIONS);
            if (dimensions < 1 || dimensions > SimEmbeddings.MAX_DIMENSIONS) {
                throw new CohereApiException(400, "invalid request: invalid output_dimension");
            }
            ObjectNode out = json.createObjectNode();
            StringBuilder all = new StringBuilder();
            textsNode.forEach(t -> all.append(t.asString("")).append('\u0000'));
            out.put("id", java.util.UUID.nameUUIDFromBytes(all.toString().getBytes(StandardCharsets.UTF_8)).toString());
            ArrayNode floats = out.putObject("embeddings").putArray("float");
            int tokens = 0;
            for (JsonNode text : textsNode) {
                ArrayNode vector = floats.addArray();
                for (double v : SimEmbeddings.vector(text.asString(""), dimensions)) {
                    vector.add(v);
                }
                tokens += SimTokenizer.count(text.asString(""));
            }
            out.set("texts", textsNode);
            ObjectNode meta = out.putObject("meta");
            meta.putObject("api_version").put("version", "2");
            meta.putObject("billed_units").put("input_tokens", tokens);
            out.put("response_type", "embeddings_by_type");
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(out);
        });
    }

    private String messageStart(String id) {
        ObjectNode message = json.createObjectNode();
        message.put("role", "assistant");
        message.putArray("content");
        message.put("tool_plan", "");
        message.putArray("tool_calls");
        message.putArray("citations");
        ObjectNode data = delta(message);
        data.put("id", id);
        return event("message-start", data);
    }

    private String messageEnd(String finish, int input, int output) {
        ObjectNode data = json.createObjectNode();
        ObjectNode delta = data.putObject("delta");
        delta.put("finish_reason", finish);
        if ("ERROR".equals(finish)) {
            delta.put("error", "internal error during generation (simulated)");
        }
        delta.set("usage", usage(input, output));
        return event("message-end", data);
    }

    private ObjectNode contentDelta(ObjectNode content) {
        ObjectNode data = delta(json.createObjectNode().set("content", content));
        data.put("index", 0);
        return data;
    }

    private ObjectNode delta(ObjectNode message) {
        ObjectNode data = json.createObjectNode();
        data.putObject("delta").set("message", message);
        return data;
    }

    private ObjectNode usage(int input, int output) {
        ObjectNode usage = json.createObjectNode();
        usage.putObject("billed_units").put("input_tokens", input).put("output_tokens", output);
        usage.putObject("tokens").put("input_tokens", input + TEMPLATE_TOKENS).put("output_tokens", output);
        return usage;
    }

    /** {@code event: <type>} and {@code data:} with {@code "type"} first, as Cohere sends it. */
    private String event(String type, ObjectNode data) {
        ObjectNode ordered = json.createObjectNode();
        ordered.put("type", type);
        ordered.setAll(data);
        return "event: " + type + "\ndata: " + json.writeValueAsString(ordered) + "\n\n";
    }

    private static String uuid(CompletionPlan plan) {
        return java.util.UUID.nameUUIDFromBytes(plan.requestHash()).toString();
    }




    private JsonNode parse(byte[] bytes) {
        try {
            JsonNode node = json.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new CohereApiException(400, "invalid request: body must be a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new CohereApiException(400, "invalid request: could not parse JSON body");
        }
    }

    private static String requiredString(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isString() || value.asString().isBlank()) {
            throw new CohereApiException(400, "invalid request: " + field + " is required");
        }
        return value.asString();
    }
}
