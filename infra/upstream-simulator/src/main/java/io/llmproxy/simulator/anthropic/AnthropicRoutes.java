package io.llmproxy.simulator.anthropic;

import io.llmproxy.simulator.core.CompletionPlan;
import io.llmproxy.simulator.core.CompletionPlanner;
import io.llmproxy.simulator.core.FinishReason;
import io.llmproxy.simulator.core.LatencyProfile;
import io.llmproxy.simulator.core.NormalizedChatRequest;
import io.llmproxy.simulator.core.NormalizedMessage;
import io.llmproxy.simulator.core.StreamFault;
import io.llmproxy.simulator.core.ToolCall;
import io.llmproxy.simulator.core.ToolCallPlanner;
import io.llmproxy.simulator.http.InvalidKnobException;
import io.llmproxy.simulator.http.PacedStream;
import io.llmproxy.simulator.http.SimulatorKnobs;
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
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Anthropic Messages API, {@code POST /v1/messages} (https://docs.anthropic.com/en/api/messages,
 * streaming: https://docs.anthropic.com/en/docs/build-with-claude/streaming).
 *
 * <p>Checks, in order: {@code x-api-key} (absent/blank → 401 {@code authentication_error}),
 * {@code anthropic-version} (absent → 400), the {@code x-sim-status} header and
 * {@code sim-error-<status>} model knobs (Anthropic's error JSON; 429 with {@code retry-after: 1};
 * 529 {@code overloaded_error}); then the body: {@code model}, {@code max_tokens} (required, ≥ 1),
 * {@code messages} (non-empty, roles {@code user}/{@code assistant} only: a {@code system} role in
 * {@code messages} is refused as Anthropic does), {@code system} (string or text blocks),
 * {@code temperature} within 0..1.
 *
 * <p>Prompt tokens follow {@link CompletionPlanner} with {@code system} counted as a first message;
 * {@code tool_result} content counts as text, images 85 each. {@code sim-cache-<n>} in the model
 * reports {@code n} of them as {@code cache_read_input_tokens} (the rest as {@code input_tokens}).
 * A tool-call answer ({@code sim-tools}, see {@link ToolCallPlanner}) is a text block with the plan's
 * first word then a {@code tool_use} block, {@code stop_reason: "tool_use"},
 * {@code output_tokens = 1 + argument pieces}. Stream events: {@code message_start},
 * {@code content_block_start}, {@code ping}, {@code content_block_delta}…, {@code content_block_stop},
 * (tool block), {@code message_delta}, {@code message_stop}; a fault ({@code x-sim-fault} /
 * {@code sim-fault-*}) cuts after half the deltas, with an {@code error} event
 * ({@code overloaded_error}) for {@code midstream-error}.
 */
@Configuration(proxyBeanMethods = false)
public class AnthropicRoutes {

    @Bean
    RouterFunction<ServerResponse> anthropicRouter(SimulatorKnobs knobs, JsonMapper mapper) {
        return RouterFunctions.route()
                .POST("/v1/messages", r -> messages(r, knobs, mapper))
                .filter((request, next) -> Mono.defer(() -> {
                    String key = request.headers().firstHeader("x-api-key");
                    if (key == null || key.isBlank()) {
                        return Mono.error(new AnthropicApiException(401, "authentication_error", "x-api-key header is required"));
                    }
                    if (request.headers().firstHeader("anthropic-version") == null) {
                        return Mono.error(AnthropicApiException.invalid("anthropic-version: header is required"));
                    }
                    OptionalInt forced = knobs.forcedStatus(request.headers().asHttpHeaders());
                    if (forced.isPresent()) {
                        return Mono.error(AnthropicApiException.forStatus(forced.getAsInt()));
                    }
                    return next.handle(request);
                }).onErrorResume(e -> e instanceof AnthropicApiException || e instanceof InvalidKnobException, e -> error(mapper,
                        e instanceof AnthropicApiException a ? a : AnthropicApiException.invalid(e.getMessage()))))
                .build();
    }

    private static Mono<ServerResponse> messages(ServerRequest request, SimulatorKnobs knobs, JsonMapper mapper) {
        return request.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(bytes -> {
            JsonNode body;
            try {
                body = mapper.readTree(bytes);
            } catch (JacksonException e) {
                throw AnthropicApiException.invalid("There was an issue with your request body: invalid JSON");
            }
            if (body == null || !body.isObject()) {
                throw AnthropicApiException.invalid("There was an issue with your request body: expected an object");
            }
            String model = body.path("model").asString("");
            if (model.isEmpty()) {
                throw AnthropicApiException.invalid("model: Field required");
            }
            SimulatorKnobs.forcedStatus(model).ifPresent(status -> {
                throw AnthropicApiException.forStatus(status);
            });
            JsonNode maxTokens = body.get("max_tokens");
            if (maxTokens == null || !maxTokens.isIntegralNumber() || maxTokens.asInt() < 1) {
                throw AnthropicApiException.invalid("max_tokens: Field required");
            }
            JsonNode temperature = body.get("temperature");
            if (temperature != null && temperature.isNumber() && (temperature.asDouble() < 0 || temperature.asDouble() > 1)) {
                throw AnthropicApiException.invalid("temperature: range: 0..1");
            }
            List<NormalizedMessage> messages = new ArrayList<>();
            JsonNode system = body.get("system");
            if (system != null && !system.isNull()) {
                messages.add(new NormalizedMessage("system", texts(system), 0));
            }
            JsonNode list = body.get("messages");
            if (list == null || !list.isArray() || list.isEmpty()) {
                throw AnthropicApiException.invalid("messages: at least one message is required");
            }
            boolean lastIsToolResult = false;
            for (int i = 0; i < list.size(); i++) {
                JsonNode m = list.get(i);
                String role = m.path("role").asString("");
                if (!role.equals("user") && !role.equals("assistant")) {
                    throw AnthropicApiException.invalid("messages." + i + ".role: Input should be 'user' or 'assistant'");
                }
                JsonNode content = m.get("content");
                int images = 0;
                boolean toolResult = false;
                if (content != null && content.isArray()) {
                    for (JsonNode block : content) {
                        String type = block.path("type").asString("");
                        images += type.equals("image") ? 1 : 0;
                        toolResult |= type.equals("tool_result");
                        if (type.equals("image") && !List.of("base64", "url").contains(block.path("source").path("type").asString(""))) {
                            throw AnthropicApiException.invalid("messages." + i + ".content: image source type must be base64 or url");
                        }
                    }
                }
                lastIsToolResult = toolResult;
                messages.add(new NormalizedMessage(role, texts(content), images));
            }
            boolean stream = body.path("stream").asBoolean(false);
            CompletionPlan plan = CompletionPlanner.plan(new NormalizedChatRequest(model, messages, maxTokens.asInt()));
            JsonNode toolName = body.path("tools").path(0).get("name");
            ToolCall call = ToolCallPlanner.plan(model, toolName != null && toolName.isString() ? toolName.asString() : null,
                    lastIsToolResult, plan);
            int cached = Math.min(SimulatorKnobs.cachedPromptTokens(model), plan.promptTokens());
            AnthropicWireFormat wire = new AnthropicWireFormat(mapper, plan, call, model, cached);
            if (!stream) {
                return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(wire.message());
            }
            LatencyProfile latency = SimulatorKnobs.latency(model, knobs.latency(request.headers().asHttpHeaders()));
            StreamFault fault = SimulatorKnobs.fault(request.headers().asHttpHeaders(), model);
            return PacedStream.sse(wire.events(fault), latency);
        });
    }

    /** Text of a string content, or of the text blocks (and {@code tool_result} texts) in block content. */
    private static List<String> texts(JsonNode content) {
        List<String> texts = new ArrayList<>();
        if (content == null || content.isNull()) {
            return texts;
        }
        if (content.isString()) {
            texts.add(content.asString());
            return texts;
        }
        for (JsonNode block : content) {
            switch (block.path("type").asString("")) {
                case "text" -> texts.add(block.path("text").asString(""));
                case "tool_result" -> texts.addAll(texts(block.get("content")));
                default -> {
                    // images counted separately; tool_use and others not counted
                }
            }
        }
        return texts;
    }

    static Mono<ServerResponse> error(JsonMapper mapper, AnthropicApiException e) {
        ObjectNode root = mapper.createObjectNode();
        root.put("type", "error");
        root.putObject("error").put("type", e.type()).put("message", e.getMessage());
        ServerResponse.BodyBuilder builder = ServerResponse.status(e.status()).contentType(MediaType.APPLICATION_JSON)
                .header("request-id", "req_sim");
        if (e.status() == 429) {
            builder.header(HttpHeaders.RETRY_AFTER, "1");
        }
        return builder.bodyValue(mapper.writeValueAsBytes(root));
    }

    static String stopReason(CompletionPlan plan, ToolCall call) {
        return call != null ? "tool_use" : plan.finishReason() == FinishReason.LENGTH ? "max_tokens" : "end_turn";
    }
}
