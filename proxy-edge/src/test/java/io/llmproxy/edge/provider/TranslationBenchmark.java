package io.llmproxy.edge.provider;

import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.stream.SseDecoder;
import io.llmproxy.edge.stream.SseEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * CPU cost of one translation path per call, in µs: the canonical request → provider request, then
 * the provider's golden response → canonical response ({@code whole}), or the provider's golden
 * stream → canonical SSE, event by event ({@code stream}). Inputs are the golden fixtures. Not a
 * test (no assertions on time); run by hand:
 * <pre>
 * mvn -q -o -pl proxy-edge -am test-compile
 * mvn -q -o -pl proxy-edge dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp proxy-edge/target/test-classes:proxy-edge/target/classes:$(cat /tmp/cp.txt) io.llmproxy.edge.provider.TranslationBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TranslationBenchmark {

    /** type:golden case directory. */
    @Param({"openai:azure/chat", "azure-openai:azure/chat", "mistral:mistral/chat", "anthropic:anthropic/text",
            "anthropic:anthropic/tools"})
    public String path;

    private ProviderAdapter adapter;
    private GoldenCase golden;
    private ProviderEntry provider;
    private ObjectNode request;
    private ObjectNode streamRequest;
    private byte[] response;
    private List<SseEvent> events;

    @Setup
    public void setUp() throws Exception {
        String[] parts = path.split(":");
        JsonMapper json = GoldenCase.JSON;
        EdgeProperties properties = new EdgeProperties(null, Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(5),
                Duration.ofSeconds(300), 16 << 20, "redis://127.0.0.1:6379", Duration.ofSeconds(1), 4096, null, null, Duration.ofMillis(5), true, Duration.ZERO, Duration.ofMillis(100),
                EdgeProperties.AnswersWaitFor.WRITE);
        String adapterClass = switch (parts[0]) {
            case "openai" -> "io.llmproxy.edge.provider.openai.OpenAiProviderAdapter";
            case "azure-openai" -> "io.llmproxy.edge.provider.azure.AzureOpenAiProviderAdapter";
            case "mistral" -> "io.llmproxy.edge.provider.mistral.MistralProviderAdapter";
            default -> "io.llmproxy.edge.provider.anthropic.AnthropicProviderAdapter";
        };
        var constructor = Class.forName(adapterClass).getDeclaredConstructors()[0];
        constructor.setAccessible(true);
        adapter = (ProviderAdapter) (constructor.getParameterCount() == 1 ? constructor.newInstance(json)
                : constructor.newInstance(json, properties));
        golden = new GoldenCase(parts[0], parts[1]);
        provider = golden.provider();
        request = golden.request(false);
        streamRequest = golden.request(true);
        response = golden.text("response.json").getBytes(StandardCharsets.UTF_8);
        events = new SseDecoder().feed(golden.text("stream.txt").getBytes(StandardCharsets.UTF_8));
    }

    @Benchmark
    public void whole(Blackhole bh) {
        ChatTranslator t = adapter.chatTranslator(false, false);
        bh.consume(t.request(request, provider, "m"));
        bh.consume(t.response(response));
    }

    @Benchmark
    public void stream(Blackhole bh) {
        ChatTranslator t = adapter.chatTranslator(true, true);
        bh.consume(t.request(streamRequest, provider, "m"));
        for (SseEvent event : events) {
            bh.consume(t.streamEvent(event));
        }
    }

    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder().include(TranslationBenchmark.class.getSimpleName()).build()).run();
    }
}
