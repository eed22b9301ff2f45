package io.llmproxy.simulator.openai;

import io.llmproxy.simulator.core.CompletionPlan;
import io.llmproxy.simulator.core.CompletionPlanner;
import io.llmproxy.simulator.core.LatencyProfile;
import io.llmproxy.simulator.core.StreamFault;
import io.llmproxy.simulator.core.ToolCall;
import io.llmproxy.simulator.core.ToolCallPlanner;
import io.llmproxy.simulator.http.PacedStream;
import io.llmproxy.simulator.http.SimulatorKnobs;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Handlers of the OpenAI endpoints (API reference, https://platform.openai.com/docs/api-reference/chat
 * and https://platform.openai.com/docs/api-reference/models/list):
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: parses the body with {@link OpenAiRequestParser}, plans the
 *       answer with {@link CompletionPlanner}, and answers either one {@code chat.completion} JSON
 *       body after {@code ttft + n × inter-token} ms, or ({@code "stream": true}) a
 *       {@code text/event-stream} of {@code chat.completion.chunk} events paced as described in
 *       {@link LatencyProfile}, each written and flushed as it is produced;</li>
 *   <li>{@code GET /v1/models}: the fixed {@link OpenAiWireFormat#MODELS} list.</li>
 * </ul>
 * Errors are thrown as {@link OpenAiApiException} and rendered by {@link OpenAiRoutes}.
 */
public final class OpenAiChatHandler {

    private final SimulatorKnobs knobs;
    private final OpenAiRequestParser parser;
    private final OpenAiWireFormat wire;
    private final Clock clock;

    public OpenAiChatHandler(SimulatorKnobs knobs, OpenAiRequestParser parser, OpenAiWireFormat wire, Clock clock) {
        this.knobs = knobs;
        this.parser = parser;
        this.wire = wire;
        this.clock = clock;
    }

    /** {@code POST /v1/chat/completions}. */
    public Mono<ServerResponse> chatCompletions(ServerRequest request) {
        return Mono.defer(() -> {
            LatencyProfile latency = knobs.latency(request.headers().asHttpHeaders());
            return request.bodyToMono(byte[].class)
                    .defaultIfEmpty(new byte[0])
                    .flatMap(bytes -> {
                        OpenAiChatRequest chat = parser.parse(bytes);
                        String model = chat.chat().model();
                        LatencyProfile modelLatency = SimulatorKnobs.latency(model, latency);
                        StreamFault fault = SimulatorKnobs.fault(request.headers().asHttpHeaders(), model);
                        if (fault != null || model.contains(ToolCallPlanner.TOOLS_MODEL_MARK)) {
                            return toolsOrFault(chat, parser.tree(bytes), fault, modelLatency);
                        }
                        return respond(chat, modelLatency);
                    });
        });
    }

    /** The dialect for tool calls and stream faults ({@code sim-tools}, {@code x-sim-fault} / {@code sim-fault-*}). */
    private static final OpenAiLikeFormat.Dialect DIALECT = new OpenAiLikeFormat.Dialect(OpenAiWireFormat.ID_PREFIX, false, false,
            false, "call_", 24);

    /**
     * A request with the {@code sim-tools} mark or a stream fault: answered by {@link OpenAiLikeFormat}
     * (a call of the first declared tool while the last message is not a tool result; the fault cuts
     * the stream after half its content chunks, with an {@code {"error":…}} event for
     * {@code midstream-error}).
     */
    private Mono<ServerResponse> toolsOrFault(OpenAiChatRequest request, tools.jackson.databind.JsonNode raw, StreamFault fault,
                                              LatencyProfile latency) {
        String model = request.chat().model();
        SimulatorKnobs.forcedStatus(model).ifPresent(status -> {
            throw OpenAiApiException.forStatus(status);
        });
        CompletionPlan plan = CompletionPlanner.plan(request.chat());
        ToolCall call = ToolCallPlanner.plan(model, OpenAiLikeFormat.firstToolName(raw), OpenAiLikeFormat.lastIsToolResult(raw), plan);
        long created = clock.instant().getEpochSecond();
        OpenAiLikeFormat format = new OpenAiLikeFormat(parser.mapper(), DIALECT);
        if (!request.stream()) {
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(format.completion(plan, call, model, created));
        }
        return PacedStream.sse(format.streamEvents(plan, call, model, created, request.includeUsage(), fault), latency);
    }

    /** {@code GET /v1/models}. */
    public Mono<ServerResponse> listModels(ServerRequest request) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(wire.modelList());
    }

    private Mono<ServerResponse> respond(OpenAiChatRequest request, LatencyProfile latency) {
        String model = request.chat().model();
        SimulatorKnobs.forcedStatus(model).ifPresent(status -> {
            throw OpenAiApiException.forStatus(status);
        });
        CompletionPlan plan = CompletionPlanner.plan(request.chat());
        long created = clock.instant().getEpochSecond();
        if (!request.stream()) {
            byte[] body = wire.completion(plan, model, created);
            Mono<ServerResponse> response = ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
            Duration delay = latency.totalDelay(plan.completionTokens());
            return delay.isZero() ? response : Mono.delay(delay).then(response);
        }
        Flux<String> events = events(plan, model, created, request.includeUsage(), latency);
        return PacedStream.flushed(events, MediaType.TEXT_EVENT_STREAM);
    }

    /**
     * The stream's events, built lazily one by one: role chunk and first token after ttft, each later
     * token one inter-token delay after the previous, finish chunk one inter-token delay after the
     * last token, then the optional usage chunk and {@code [DONE]}.
     */
    private Flux<String> events(CompletionPlan plan, String model, long created, boolean includeUsage,
                                LatencyProfile latency) {
        int n = plan.completionTokens();
        Duration inter = latency.interToken();
        return Flux.concat(
                after(latency.ttft(), () -> wire.roleChunk(plan, model, created, includeUsage)),
                Mono.fromSupplier(() -> wire.tokenChunk(plan, model, created, includeUsage, 0)),
                Flux.range(1, n - 1).concatMap(i ->
                        after(inter, () -> wire.tokenChunk(plan, model, created, includeUsage, i))),
                after(inter, () -> wire.finishChunk(plan, model, created, includeUsage)),
                includeUsage ? Mono.fromSupplier(() -> wire.usageChunk(plan, model, created)) : Mono.<String>empty(),
                Mono.just(OpenAiWireFormat.DONE_EVENT));
    }

    private static Mono<String> after(Duration delay, Supplier<String> event) {
        Mono<String> value = Mono.fromSupplier(event);
        return delay.isZero() ? value : Mono.delay(delay).then(value);
    }
}
