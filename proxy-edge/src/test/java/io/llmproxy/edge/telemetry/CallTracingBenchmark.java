package io.llmproxy.edge.telemetry;

import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.snapshot.SnapshotStore;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * CPU the traces add per call, in µs (issue #12's budget: all telemetry ≤ 30 µs per call at 100 %
 * sampling): everything {@link CallTracing} does for one non-streamed call with one upstream attempt —
 * the SERVER span from a client {@code traceparent}, the request parameters, the attempt's CLIENT span
 * and its propagation headers, the response's id and finish reason (a parse of the response), the
 * attributes from the usage event, and the batch span processor's share of exporting (to an exporter
 * that discards). {@code sampling}: {@code on} (100 %), {@code off} (ratio 0: non-recording spans, what
 * most calls cost at the default 0.1), {@code none} (no SDK at all). Not a test; run by hand like
 * {@code GenAiMetricsBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CallTracingBenchmark {

    @Param({"on", "off", "none"})
    public String sampling;

    private CallTracing tracing;
    private SdkTracerProvider provider;
    private UsageRecorded event;
    private tools.jackson.databind.JsonNode request;
    private final byte[] response = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"Hello there, how can I help?\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":40,\"total_tokens\":160}}").getBytes(StandardCharsets.UTF_8);
    private final Map<String, String> client = Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

    @Setup
    public void setUp() {
        OpenTelemetry otel = OpenTelemetry.noop();
        if (!"none".equals(sampling)) {
            provider = SdkTracerProvider.builder()
                    .setSampler("on".equals(sampling) ? Sampler.alwaysOn() : Sampler.parentBased(Sampler.traceIdRatioBased(0)))
                    .addSpanProcessor(BatchSpanProcessor.builder(new Discard()).build()).build();
            otel = OpenTelemetrySdk.builder().setTracerProvider(provider)
                    .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        }
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("otel", otel);
        SnapshotStore store = new SnapshotStore();
        store.replace(new EdgeSnapshot(Map.of(), Map.of(), Map.of("p1", new ProviderEntry("p1", "sim", "openai", "http://x", "k")),
                Map.of(), Map.of(), 1, Instant.now()));
        tracing = new CallTracing(beans.getBeanProvider(OpenTelemetry.class), store);
        event = new UsageRecorded("e", 4, "t", "k", "chat.completions", "gpt-4o-mini", "p1", "m", false, 120, 40, 160, 35,
                200, UsageRecorded.Outcome.SUCCESS, Instant.now(), null, false, null, 0, null, null);
        request = JsonMapper.builder().build().readTree("{\"model\":\"gpt-4o-mini\",\"max_tokens\":64,\"temperature\":0.5,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (provider != null) {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
    }

    @Benchmark
    public Object call() {
        Call call = new Call("chat.completions", null);
        // "off": a new trace (no client traceparent) that the ratio-0 sampler drops
        tracing.start(call, "chat.completions", "off".equals(sampling) ? name -> null : client::get);
        CallTracing.request(call, request);
        CallTracing.AttemptSpan attempt = tracing.attempt(call, "openai", "m", "http://127.0.0.1:5100/v1/chat/completions");
        attempt.served(200);
        CallTracing.response(call, response);
        attempt.callFinished();
        tracing.finish(call, event);
        return attempt.headers();
    }

    /** An exporter that discards what it gets (the SDK's batching and conversion are still paid). */
    static final class Discard implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
