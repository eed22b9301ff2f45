package io.llmproxy.edge.bench;

import io.llmproxy.edge.api.anthropic.AnthropicMessagesCodec;
import io.llmproxy.edge.api.ollama.OllamaChatCodec;
import io.llmproxy.edge.api.openai.OpenAiChatCodec;
import io.llmproxy.edge.api.responses.ResponsesCodec;
import io.llmproxy.edge.chat.ClientCodec;
import io.llmproxy.edge.config.EdgeJson;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.stream.SseEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;

/**
 * CPU cost per call of each client codec, on one thread, without I/O: what a client format adds
 * to the edge's own work (the pipeline, the translator and the network are the same for every
 * format and are measured end to end by {@code bench/run.sh}). Not a test: run it on a quiet
 * machine, after {@code mvn -pl proxy-edge -am test-compile}:
 * <pre>
 *   mvn -q -pl proxy-edge dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 *   java -cp proxy-edge/target/classes:proxy-edge/target/test-classes:$(cat /tmp/cp.txt) \
 *        io.llmproxy.edge.bench.ClientCodecBench [seconds per case, default 3]
 * </pre>
 * Workload: a simulator-like answer of 30 words — request with one user message; non-stream =
 * request → canonical + canonical {@code chat.completion} → client body; stream = request →
 * canonical + 33 canonical SSE events (role, 30 tokens, finish, usage) + {@code [DONE]} → client
 * stream bytes. Prints µs per call (mean over the measured period, after an equal warm-up).
 */
public final class ClientCodecBench {

    private static final JsonMapper JSON = EdgeJson.builder().build();
    private static volatile int sink;

    private ClientCodecBench() {
    }

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            words.add(i == 0 ? "alpha" : " bravo");
        }
        String id = "chatcmpl-0123456789abcdef";
        byte[] completion = ("{\"id\":\"" + id + "\",\"object\":\"chat.completion\",\"created\":1764417600,\"model\":\"sim-gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + String.join("", words)
                + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":30,\"total_tokens\":42}}")
                .getBytes(StandardCharsets.UTF_8);
        List<Translated> stream = new ArrayList<>();
        String head = "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1764417600,\"model\":\"sim-gpt-4o-mini\",";
        stream.add(Translated.of(SseEncoder.data(head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}")));
        for (String word : words) {
            stream.add(Translated.of(SseEncoder.data(head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + word + "\"},\"finish_reason\":null}]}")));
        }
        stream.add(Translated.of(SseEncoder.data(head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}")));
        stream.add(Translated.of(SseEncoder.data(head + "\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":30,\"total_tokens\":42}}")));
        stream.add(new Translated(SseEncoder.done(), null, true, null));

        String user = "{\"role\":\"user\",\"content\":\"Tell me something about the simulated token stream please\"}";
        byte[] openAi = ("{\"model\":\"gpt-4o-mini\",\"messages\":[" + user + "]}").getBytes(StandardCharsets.UTF_8);
        byte[] anthropic = ("{\"model\":\"gpt-4o-mini\",\"max_tokens\":256,\"messages\":[" + user + "]}").getBytes(StandardCharsets.UTF_8);
        byte[] ollama = ("{\"model\":\"gpt-4o-mini\",\"messages\":[" + user + "]}").getBytes(StandardCharsets.UTF_8);
        byte[] responses = ("{\"model\":\"gpt-4o-mini\",\"max_output_tokens\":256,\"input\":[" + user + "]}")
                .getBytes(StandardCharsets.UTF_8);
        Clock clock = Clock.systemUTC();

        System.out.println("| client format | non-stream µs/call | stream (33 events) µs/call |");
        System.out.println("| --- | --- | --- |");
        row("OpenAI (pass-through)", () -> new OpenAiChatCodec(JSON), openAi, completion, stream, seconds);
        row("Anthropic", () -> new AnthropicMessagesCodec(JSON), anthropic, completion, stream, seconds);
        row("OpenAI Responses", () -> new ResponsesCodec(JSON), responses, completion, stream, seconds);
        row("Ollama /api/chat", () -> new OllamaChatCodec(JSON, OllamaChatCodec.Api.CHAT, clock), ollama, completion, stream, seconds);
    }

    private static void row(String name, Supplier<ClientCodec> codecs, byte[] request, byte[] completion,
                            List<Translated> stream, int seconds) {
        Runnable whole = () -> {
            ClientCodec codec = codecs.get();
            sink += codec.canonical(request).body().size();
            sink += codec.response(completion).length;
        };
        Runnable streamed = () -> {
            ClientCodec codec = codecs.get();
            sink += codec.canonical(request).body().size();
            for (Translated piece : stream) {
                sink += codec.streamChunk(piece).length;
            }
        };
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f |%n", name, micros(whole, seconds), micros(streamed, seconds));
    }

    /** @return mean µs per run over {@code seconds}, after {@code seconds} of warm-up */
    private static double micros(Runnable run, int seconds) {
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < until) {
            run.run();
        }
        long n = 0;
        long start = System.nanoTime();
        until = start + seconds * 1_000_000_000L;
        long now;
        do {
            for (int i = 0; i < 100; i++) {
                run.run();
            }
            n += 100;
            now = System.nanoTime();
        } while (now < until);
        return (now - start) / 1000.0 / n;
    }
}
