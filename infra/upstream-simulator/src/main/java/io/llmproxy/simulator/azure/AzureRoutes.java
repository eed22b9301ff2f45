package io.llmproxy.simulator.azure;

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
 * The Azure OpenAI data plane (https://learn.microsoft.com/azure/ai-services/openai/reference):
 * {@code POST /openai/deployments/{deployment}/chat/completions?api-version=…} and
 * {@code …/embeddings?api-version=…}. Checks, in order: the {@code api-version} query parameter
 * (absent → 404 {@code {"error":{"code":"404","message":"Resource not found"}}}, as Azure answers), the
 * {@code api-key} header (absent or blank → 401 with Azure's message), then the {@code x-sim-status}
 * / {@code sim-error-<status>} knobs (Azure's {@code {"error":{"code","message"}}}; 429 with
 * {@code Retry-After: 1}). The deployment name is the model for every model-name knob and in the
 * answer. Streams begin with Azure's {@code prompt_filter_results} chunk ({@code "choices":[]}).
 * Embeddings: {@link SimEmbeddings} vectors ({@code dimensions} or 8 values).
 */
@Configuration(proxyBeanMethods = false)
public class AzureRoutes {

    static final OpenAiLikeFormat.Dialect DIALECT = new OpenAiLikeFormat.Dialect("chatcmpl-", false, true, false, "call_", 24);

    @Bean
    RouterFunction<ServerResponse> azureRouter(SimulatorKnobs knobs, JsonMapper mapper) {
        OpenAiLikeFormat format = new OpenAiLikeFormat(mapper, DIALECT);
        OpenAiRequestParser parser = new OpenAiRequestParser(mapper);
        Clock clock = Clock.systemUTC();
        return RouterFunctions.route()
                .POST("/openai/deployments/{deployment}/chat/completions", r -> chat(r, knobs, mapper, format, parser, clock))
                .POST("/openai/deployments/{deployment}/embeddings", r -> embeddings(r, mapper))
                .filter((request, next) -> Mono.defer(() -> {
                    if (request.queryParam("api-version").filter(v -> !v.isBlank()).isEmpty()) {
                        return error(mapper, 404, "404", "Resource not found");
                    }
                    String key = request.headers().firstHeader("api-key");
                    if (key == null || key.isBlank()) {
                        return error(mapper, 401, "401", "Access denied due to invalid subscription key or wrong API endpoint. "
                                + "Make sure to provide a valid key for an active subscription and use a correct regional API "
                                + "endpoint for your resource.");
                    }
                    OptionalInt forced = knobs.forcedStatus(request.headers().asHttpHeaders());
                    if (forced.isEmpty()) {
                        forced = SimulatorKnobs.forcedStatus(request.pathVariable("deployment"));
                    }
                    if (forced.isPresent()) {
                        return forced(mapper, forced.getAsInt());
                    }
                    return next.handle(request);
                }).onErrorResume(OpenAiApiException.class, e -> error(mapper, e.status(), e.code() == null ? null : e.code(),
                        e.getMessage())).onErrorResume(InvalidKnobException.class, e -> error(mapper, 400, null, e.getMessage())))
                .build();
    }

    private static Mono<ServerResponse> chat(ServerRequest request, SimulatorKnobs knobs, JsonMapper mapper,
                                             OpenAiLikeFormat format, OpenAiRequestParser parser, Clock clock) {
        String deployment = request.pathVariable("deployment");
        LatencyProfile latency = SimulatorKnobs.latency(deployment, knobs.latency(request.headers().asHttpHeaders()));
        StreamFault fault = SimulatorKnobs.fault(request.headers().asHttpHeaders(), deployment);
        return request.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(bytes -> {
            JsonNode raw = readObject(mapper, bytes);
            ((ObjectNode) raw).put("model", deployment); // the deployment chooses the model; a body's model is ignored
            OpenAiChatRequest parsed = parser.parse(mapper.writeValueAsBytes(raw));
            var chat = new io.llmproxy.simulator.core.NormalizedChatRequest(deployment, parsed.chat().messages(),
                    parsed.chat().maxOutputTokens());
            CompletionPlan plan = CompletionPlanner.plan(chat);
            ToolCall call = ToolCallPlanner.plan(deployment, OpenAiLikeFormat.firstToolName(raw),
                    OpenAiLikeFormat.lastIsToolResult(raw), plan);
            long created = clock.instant().getEpochSecond();
            if (!parsed.stream()) {
                return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(format.completion(plan, call, deployment, created));
            }
            return PacedStream.sse(format.streamEvents(plan, call, deployment, created, parsed.includeUsage(), fault), latency);
        });
    }

    private static Mono<ServerResponse> embeddings(ServerRequest request, JsonMapper mapper) {
        return request.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(bytes -> {
            JsonNode body = mapper.readTree(bytes);
            List<String> inputs = new ArrayList<>();
            JsonNode input = body.get("input");
            if (input != null && input.isString()) {
                inputs.add(input.asString());
            } else if (input != null && input.isArray()) {
                input.forEach(i -> inputs.add(i.asString("")));
            } else {
                return error(mapper, 400, null, "'input' is a required property");
            }
            int dims = Math.max(1, Math.min(SimEmbeddings.MAX_DIMENSIONS, body.path("dimensions").asInt(SimEmbeddings.DEFAULT_DIMENSIONS)));
            ObjectNode out = mapper.createObjectNode();
            out.put("object", "list");
            ArrayNode data = out.putArray("data");
            int tokens = 0;
            for (int i = 0; i < inputs.size(); i++) {
                ObjectNode item = data.addObject();
                item.put("object", "embedding");
                item.put("index", i);
                ArrayNode vector = item.putArray("embedding");
                for (double v : SimEmbeddings.vector(inputs.get(i), dims)) {
                    vector.add(v);
                }
                tokens += SimTokenizer.count(inputs.get(i));
            }
            out.put("model", request.pathVariable("deployment"));
            out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(mapper.writeValueAsBytes(out));
        });
    }

    private static JsonNode readObject(JsonMapper mapper, byte[] bytes) {
        try {
            JsonNode node = mapper.readTree(bytes);
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (tools.jackson.core.JacksonException e) {
            // fall through
        }
        throw OpenAiApiException.invalidJson();
    }

    private static Mono<ServerResponse> forced(JsonMapper mapper, int status) {
        String message = switch (status) {
            case 429 -> "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have "
                    + "exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 1 second. (simulated)";
            case 500 -> "The server had an error while processing your request. (simulated)";
            default -> "Request failed with status " + status + " (simulated).";
        };
        return error(mapper, status, String.valueOf(status), message);
    }

    /** Azure's error body {@code {"error":{"code","message"}}}; 429 adds {@code Retry-After: 1}. */
    static Mono<ServerResponse> error(JsonMapper mapper, int status, String code, String message) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode error = root.putObject("error");
        if (code == null) {
            error.putNull("code");
        } else {
            error.put("code", code);
        }
        error.put("message", message);
        ServerResponse.BodyBuilder builder = ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON);
        if (status == 429) {
            builder.header(HttpHeaders.RETRY_AFTER, "1");
        }
        return builder.bodyValue(mapper.writeValueAsBytes(root));
    }
}
