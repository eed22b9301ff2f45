package io.llmproxy.simulator.ollama;

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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
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
 * Ollama's native endpoints (https://github.com/ollama/ollama/blob/main/docs/api.md):
 * <ul>
 *   <li>{@code POST /api/chat}: {@code {"model","messages":[{"role","content","images"?}],"tools"?,
 *       "stream"? (default true),"options"?:{"num_predict"}}}. Not streamed: one body
 *       {@code {"model","created_at","message":{"role":"assistant","content"},"done":true,"done_reason",
 *       "total_duration","load_duration","prompt_eval_count","prompt_eval_duration","eval_count","eval_duration"}}
 *       (durations in ns, counts in sim tokens). Streamed ({@code application/x-ndjson}): one line per token
 *       {@code {"model","created_at","message":{"role":"assistant","content":token},"done":false}}, then the
 *       {@code "done":true} line with empty content and the statistics. {@code done_reason} is
 *       {@code stop} or {@code length}. A tool call ({@link SimScenario}) is a message with
 *       {@code "content":""} and {@code "tool_calls":[{"function":{"name","arguments":{"query":…}}}]};
 *       its {@code eval_count} is the sim-token count of the arguments JSON. A mid-stream error is the
 *       line {@code {"error":"…"}}.</li>
 *   <li>{@code POST /api/embed}: {@code {"model","input":string|string[],"dimensions"?}} →
 *       {@code {"model","embeddings":[[…]],"total_duration","load_duration","prompt_eval_count"}}
 *       ({@link SimEmbeddings}; prompt_eval_count = Σ sim tokens of the inputs).</li>
 *   <li>{@code GET /api/tags}: the fixed {@link #MODELS}.</li>
 * </ul>
 */
public final class OllamaHandler {

    private static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

    /** Models listed by {@code /api/tags}; any name is accepted by chat and embed. */
    public static final List<String> MODELS = List.of("llama3.2:latest", "nomic-embed-text:latest");
    /** Fixed {@code load_duration}, ns. */
    public static final long LOAD_DURATION_NS = 1_000_000L;

    private final SimulatorKnobs knobs;
    private final JsonMapper json;
    private final Clock clock;

    public OllamaHandler(SimulatorKnobs knobs, JsonMapper json, Clock clock) {
        this.knobs = knobs;
        this.json = json;
        this.clock = clock;
    }

    /** {@code POST /api/chat}. */
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
            throw OllamaApiException.forStatus(status, model);
        });
        JsonNode messagesNode = body.get("messages");
        if (messagesNode == null || !messagesNode.isArray() || messagesNode.isEmpty()) {
            throw new OllamaApiException(400, "messages is required");
        }
        List<NormalizedMessage> messages = new ArrayList<>();
        for (JsonNode m : messagesNode) {
            String content = m.path("content").asString("");
            messages.add(new NormalizedMessage(m.path("role").asString("user"),
                    content.isEmpty() ? List.of() : List.of(content), m.path("images").size()));
        }
        JsonNode numPredict = body.path("options").get("num_predict");
        Integer limit = numPredict != null && numPredict.isNumber() && numPredict.asInt() > 0 ? numPredict.asInt() : null;
        boolean stream = body.path("stream").asBoolean(true);
        JsonNode tools = body.get("tools");
        SimScenario scenario;
        try {
            scenario = SimScenario.of(model, faultHeader, tools != null && tools.isArray() && !tools.isEmpty());
        } catch (IllegalArgumentException e) {
            throw new OllamaApiException(400, e.getMessage());
        }
        CompletionPlan plan = CompletionPlanner.plan(new NormalizedChatRequest(model, messages, limit));
        LatencyProfile latency = SimulatorKnobs.latency(model, baseLatency);
        String createdAt = clock.instant().toString();
        if (scenario.toolCall()) {
            ObjectNode arguments = json.createObjectNode().put("query", SimScenario.lastUserText(messages));
            ObjectNode message = json.createObjectNode().put("role", "assistant").put("content", "");
            ObjectNode function = message.putArray("tool_calls").addObject().putObject("function");
            function.put("name", tools.get(0).path("function").path("name").asString("tool"));
            function.set("arguments", arguments);
            int evalCount = SimTokenizer.count(json.writeValueAsString(arguments));
            if (!stream) {
                ObjectNode out = line(model, createdAt, message, true);
                stats(out, "stop", plan.promptTokens(), evalCount, latency);
                return after(latency.ttft(), ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(out));
            }
            ObjectNode last = line(model, createdAt, json.createObjectNode().put("role", "assistant").put("content", ""), true);
            stats(last, "stop", plan.promptTokens(), evalCount, latency);
            return PacedStream.flushed(Flux.concat(delayed(latency.ttft(), () -> ndjsonLine(line(model, createdAt, message, false))),
                    delayed(latency.interToken(), () -> ndjsonLine(last))), NDJSON);
        }
        String doneReason = plan.finishReason() == FinishReason.LENGTH ? "length" : "stop";
        if (!stream) {
            ObjectNode out = line(model, createdAt, json.createObjectNode().put("role", "assistant").put("content", plan.content()), true);
            stats(out, doneReason, plan.promptTokens(), plan.completionTokens(), latency);
            Duration delay = latency.totalDelay(plan.completionTokens());
            return after(delay, ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(out));
        }
        int n = scenario.fault() == SimScenario.Fault.NONE ? plan.completionTokens() : SimScenario.tokensBeforeFault(plan.completionTokens());
        Flux<String> tokens = Flux.range(0, n).concatMap(i -> delayed(i == 0 ? latency.ttft() : latency.interToken(),
                () -> ndjsonLine(line(model, createdAt,
                        json.createObjectNode().put("role", "assistant").put("content", plan.tokens().get(i)), false))));
        Flux<String> end = switch (scenario.fault()) {
            case NONE -> delayed(latency.interToken(), () -> {
                ObjectNode last = line(model, createdAt, json.createObjectNode().put("role", "assistant").put("content", ""), true);
                stats(last, doneReason, plan.promptTokens(), plan.completionTokens(), latency);
                return ndjsonLine(last);
            }).flux();
            case MIDSTREAM_ERROR -> Flux.just(ndjsonLine(json.createObjectNode()
                    .put("error", "an error was encountered while running the model: unexpected EOF (simulated)")));
            case CUT -> Flux.empty();
        };
        return PacedStream.flushed(Flux.concat(tokens, end), NDJSON);
    }

    /** {@code POST /api/embed}. */
    public Mono<ServerResponse> embed(ServerRequest request) {
        return request.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(bytes -> {
            JsonNode body = parse(bytes);
            String model = requiredString(body, "model");
            SimulatorKnobs.forcedStatus(model).ifPresent(status -> {
                throw OllamaApiException.forStatus(status, model);
            });
            JsonNode input = body.get("input");
            List<String> texts = new ArrayList<>();
            if (input != null && input.isString()) {
                texts.add(input.asString());
            } else if (input != null && input.isArray()) {
                for (JsonNode item : input) {
                    if (!item.isString()) {
                        throw new OllamaApiException(400, "invalid input type");
                    }
                    texts.add(item.asString());
                }
            } else {
                throw new OllamaApiException(400, "invalid input type");
            }
            int dimensions = body.path("dimensions").asInt(SimEmbeddings.DEFAULT_DIMENSIONS);
            if (dimensions < 1 || dimensions > SimEmbeddings.MAX_DIMENSIONS) {
                throw new OllamaApiException(400, "invalid dimensions");
            }
            ObjectNode out = json.createObjectNode();
            out.put("model", model);
            ArrayNode embeddings = out.putArray("embeddings");
            int tokens = 0;
            for (String text : texts) {
                ArrayNode vector = embeddings.addArray();
                for (double v : SimEmbeddings.vector(text, dimensions)) {
                    vector.add(v);
                }
                tokens += SimTokenizer.count(text);
            }
            out.put("total_duration", LOAD_DURATION_NS + 1_000_000L * texts.size());
            out.put("load_duration", LOAD_DURATION_NS);
            out.put("prompt_eval_count", tokens);
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(out);
        });
    }

    /** {@code GET /api/tags}: {@code {"models":[{"name","model","modified_at","size","digest","details"}]}}. */
    public Mono<ServerResponse> tags(ServerRequest request) {
        ObjectNode out = json.createObjectNode();
        ArrayNode models = out.putArray("models");
        for (String name : MODELS) {
            ObjectNode m = models.addObject();
            m.put("name", name);
            m.put("model", name);
            m.put("modified_at", "2026-01-01T00:00:00Z");
            m.put("size", 1_000_000);
            m.put("digest", Integer.toHexString(name.hashCode()));
            ObjectNode details = m.putObject("details");
            details.put("format", "gguf");
            details.put("family", "sim");
            details.put("parameter_size", "1B");
            details.put("quantization_level", "Q4_0");
        }
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(out);
    }

    private ObjectNode line(String model, String createdAt, ObjectNode message, boolean done) {
        ObjectNode out = json.createObjectNode();
        out.put("model", model);
        out.put("created_at", createdAt);
        out.set("message", message);
        out.put("done", done);
        return out;
    }

    private static void stats(ObjectNode out, String doneReason, int promptTokens, int evalCount, LatencyProfile latency) {
        long evalNs = latency.totalDelay(evalCount).toNanos();
        out.put("done_reason", doneReason);
        out.put("total_duration", LOAD_DURATION_NS + evalNs + 1_000L * promptTokens);
        out.put("load_duration", LOAD_DURATION_NS);
        out.put("prompt_eval_count", promptTokens);
        out.put("prompt_eval_duration", 1_000L * promptTokens);
        out.put("eval_count", evalCount);
        out.put("eval_duration", evalNs);
    }

    private String ndjsonLine(ObjectNode node) {
        return json.writeValueAsString(node) + "\n";
    }




    private JsonNode parse(byte[] bytes) {
        try {
            JsonNode node = json.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new OllamaApiException(400, "invalid request body");
            }
            return node;
        } catch (JacksonException e) {
            throw new OllamaApiException(400, "invalid character in request body");
        }
    }

    private static String requiredString(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isString() || value.asString().isBlank()) {
            throw new OllamaApiException(400, field + " is required");
        }
        return value.asString();
    }
}
