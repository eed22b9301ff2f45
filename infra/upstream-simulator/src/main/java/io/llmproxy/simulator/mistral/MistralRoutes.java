package io.llmproxy.simulator.mistral;

import io.llmproxy.simulator.core.CompletionPlan;
import io.llmproxy.simulator.core.CompletionPlanner;
import io.llmproxy.simulator.core.LatencyProfile;
import io.llmproxy.simulator.core.SimEmbeddings;
import io.llmproxy.simulator.core.SimTokenizer;
import io.llmproxy.simulator.core.StreamFault;
import io.llmproxy.simulator.core.ToolCall;
import io.llmproxy.simulator.core.ToolCallPlanner;
import io.llmproxy.simulator.http.InvalidKnobException;
import io.llmproxy.simulator.http.PacedStream;
import io.llmproxy.simulator.http.SimulatorKnobs;
import io.llmproxy.simulator.openai.OpenAiApiException;
import io.llmproxy.simulator.openai.OpenAiChatRequest;
import io.llmproxy.simulator.openai.OpenAiLikeFormat;
import io.llmproxy.simulator.openai.OpenAiRequestParser;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Mistral's API (https://docs.mistral.ai/api/), mounted under {@value #PREFIX} because its paths are
 * OpenAI's: provider base URL {@code http://127.0.0.1:5100/mistral/v1}. {@code POST …/v1/chat/completions}
 * and {@code POST …/v1/embeddings}, {@code Authorization: Bearer} (missing → 401
 * {@code {"message":"Unauthorized"}}). Like Mistral, a chat body with a field outside
 * {@link #CHAT_FIELDS} (e.g. {@code seed}, {@code stream_options}, {@code user}) is refused with 422,
 * and {@code tool_choice} must be {@code auto|none|any|required} or a function object. Errors:
 * {@code {"object":"error","message","type","param","code"}}. Streams put {@code usage} on the finish
 * chunk; tool calls arrive whole in one chunk with 9-character ids.
 */
@Configuration(proxyBeanMethods = false)
public class MistralRoutes {

    /** Path prefix of the Mistral format on the simulator. */
    public static final String PREFIX = "/mistral";
    static final Set<String> CHAT_FIELDS = Set.of("model", "messages", "temperature", "top_p", "max_tokens", "stream", "stop",
            "random_seed", "response_format", "tools", "tool_choice", "presence_penalty", "frequency_penalty", "n",
            "prediction", "parallel_tool_calls", "safe_prompt");
    static final OpenAiLikeFormat.Dialect DIALECT = new OpenAiLikeFormat.Dialect("", true, false, true, "", 9);

    @Bean
    RouterFunction<ServerResponse> mistralRouter(SimulatorKnobs knobs, JsonMapper mapper) {
        OpenAiLikeFormat format = new OpenAiLikeFormat(mapper, DIALECT);
        OpenAiRequestParser parser = new OpenAiRequestParser(mapper);
        Clock clock = Clock.systemUTC();
        return RouterFunctions.route()
                .POST(PREFIX + "/v1/chat/completions", r -> chat(r, knobs, mapper, format, parser, clock))
                .POST(PREFIX + "/v1/embeddings", r -> embeddings(r, mapper))
                .filter((request, next) -> Mono.defer(() -> {
                    String auth = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
                    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.substring(7).isBlank()) {
                        ObjectNode body = mapper.createObjectNode().put("message", "Unauthorized").put("request_id", "sim");
                        return ServerResponse.status(401).contentType(MediaType.APPLICATION_JSON).bodyValue(mapper.writeValueAsBytes(body));
                    }
                    OptionalInt forced = knobs.forcedStatus(request.headers().asHttpHeaders());
                    if (forced.isPresent()) {
                        return error(mapper, forced.getAsInt(), forcedType(forced.getAsInt()), "Simulated status " + forced.getAsInt());
                    }
                    return next.handle(request);
                }).onErrorResume(OpenAiApiException.class, e -> error(mapper, e.status(), "invalid_request_error", e.getMessage()))
                        .onErrorResume(InvalidKnobException.class, e -> error(mapper, 400, "invalid_request_error", e.getMessage())))
                .build();
    }

    private static Mono<ServerResponse> chat(ServerRequest request, SimulatorKnobs knobs, JsonMapper mapper,
                                             OpenAiLikeFormat format, OpenAiRequestParser parser, Clock clock) {
        return request.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(bytes -> {
            OpenAiChatRequest parsed = parser.parse(bytes);
            JsonNode raw = mapper.readTree(bytes);
            for (String field : raw.propertyNames()) {
                if (!CHAT_FIELDS.contains(field)) {
                    return error(mapper, 422, "invalid_request_error", "Extra inputs are not permitted: body." + field);
                }
            }
            JsonNode toolChoice = raw.get("tool_choice");
            if (toolChoice != null && toolChoice.isString()
                    && !Set.of("auto", "none", "any", "required").contains(toolChoice.asString())) {
                return error(mapper, 422, "invalid_request_error", "Input should be 'auto', 'none', 'any' or 'required': body.tool_choice");
            }
            String model = parsed.chat().model();
            OptionalInt forced = SimulatorKnobs.forcedStatus(model);
            if (forced.isPresent()) {
                return error(mapper, forced.getAsInt(), forcedType(forced.getAsInt()), "Simulated status " + forced.getAsInt());
            }
            LatencyProfile latency = SimulatorKnobs.latency(model, knobs.latency(request.headers().asHttpHeaders()));
            StreamFault fault = SimulatorKnobs.fault(request.headers().asHttpHeaders(), model);
            CompletionPlan plan = CompletionPlanner.plan(parsed.chat());
            ToolCall call = ToolCallPlanner.plan(model, OpenAiLikeFormat.firstToolName(raw), OpenAiLikeFormat.lastIsToolResult(raw), plan);
            long created = clock.instant().getEpochSecond();
            if (!parsed.stream()) {
                return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(format.completion(plan, call, model, created));
            }
            return PacedStream.sse(format.streamEvents(plan, call, model, created, false, fault), latency);
        });
    }

    private static Mono<ServerResponse> embeddings(ServerRequest request, JsonMapper mapper) {
        return request.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(bytes -> {
            JsonNode body = mapper.readTree(bytes);
            for (String field : body.propertyNames()) {
                if (!Set.of("model", "input", "output_dimension", "output_dtype", "encoding_format").contains(field)) {
                    return error(mapper, 422, "invalid_request_error", "Extra inputs are not permitted: body." + field);
                }
            }
            List<String> inputs = new ArrayList<>();
            JsonNode input = body.get("input");
            if (input != null && input.isString()) {
                inputs.add(input.asString());
            } else if (input != null && input.isArray()) {
                input.forEach(i -> inputs.add(i.asString("")));
            } else {
                return error(mapper, 422, "invalid_request_error", "Field required: body.input");
            }
            String model = body.path("model").asString("");
            OptionalInt forced = SimulatorKnobs.forcedStatus(model);
            if (forced.isPresent()) {
                return error(mapper, forced.getAsInt(), forcedType(forced.getAsInt()), "Simulated status " + forced.getAsInt());
            }
            int dims = Math.max(1, Math.min(SimEmbeddings.MAX_DIMENSIONS, body.path("output_dimension").asInt(SimEmbeddings.DEFAULT_DIMENSIONS)));
            ObjectNode out = mapper.createObjectNode();
            out.put("id", "emb-sim");
            out.put("object", "list");
            ArrayNode data = out.putArray("data");
            int tokens = 0;
            for (int i = 0; i < inputs.size(); i++) {
                ObjectNode item = data.addObject();
                item.put("object", "embedding");
                ArrayNode vector = item.putArray("embedding");
                for (double v : SimEmbeddings.vector(inputs.get(i), dims)) {
                    vector.add(v);
                }
                item.put("index", i);
                tokens += SimTokenizer.count(inputs.get(i));
            }
            out.put("model", model);
            out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens).put("completion_tokens", 0);
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(mapper.writeValueAsBytes(out));
        });
    }

    private static String forcedType(int status) {
        return status == 429 ? "rate_limited" : status >= 500 ? "internal_server_error" : "invalid_request_error";
    }

    /** Mistral's error body; 429 adds {@code Retry-After: 1}. */
    static Mono<ServerResponse> error(JsonMapper mapper, int status, String type, String message) {
        ObjectNode root = mapper.createObjectNode();
        root.put("object", "error");
        root.put("message", message);
        root.put("type", type);
        root.putNull("param");
        root.putNull("code");
        ServerResponse.BodyBuilder builder = ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON);
        if (status == 429) {
            builder.header(HttpHeaders.RETRY_AFTER, "1");
        }
        return builder.bodyValue(mapper.writeValueAsBytes(root));
    }
}
