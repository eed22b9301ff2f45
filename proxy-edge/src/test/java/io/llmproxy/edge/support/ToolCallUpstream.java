package io.llmproxy.edge.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An OpenAI-format upstream that answers with recorded tool-call transcripts (the golden fixtures
 * {@code golden/client-anthropic/response-tool-use.canonical.json} and
 * {@code stream-tool-use.canonical.txt}, written from
 * https://platform.openai.com/docs/api-reference/chat-streaming), for the models the simulator
 * cannot yet answer with a tool call:
 * <ul>
 *   <li>{@code tool-model}: one text part and a {@code get_weather} call (non-stream), or text, two
 *       streamed tool calls (arguments in pieces), usage and {@code [DONE]} (stream);</li>
 *   <li>{@code cut-model}: a stream that stops after two chunks, without {@code [DONE]}.</li>
 * </ul>
 * Started once per JVM on a free port; remembers the last request body it received.
 */
public final class ToolCallUpstream {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final byte[] RESPONSE = fixture("response-tool-use.canonical.json");
    private static final List<String> EVENTS = events(fixture("stream-tool-use.canonical.txt"));
    private static final AtomicReference<JsonNode> LAST = new AtomicReference<>();
    private static DisposableServer server;

    private ToolCallUpstream() {
    }

    /** @return the port, starting the server on first use */
    public static synchronized int port() {
        if (server == null) {
            server = HttpServer.create().host("127.0.0.1").port(0)
                    .route(routes -> routes.post("/v1/chat/completions", (request, response) ->
                            request.receive().aggregate().asByteArray().flatMap(bytes -> {
                                JsonNode body = JSON.readTree(bytes);
                                LAST.set(body);
                                boolean stream = body.path("stream").asBoolean(false);
                                String model = body.path("model").asString();
                                if (!stream) {
                                    return response.header("Content-Type", "application/json")
                                            .sendByteArray(Mono.just(RESPONSE)).then();
                                }
                                List<String> events = "cut-model".equals(model) ? EVENTS.subList(0, 2) : EVENTS;
                                return response.header("Content-Type", "text/event-stream")
                                        .sendString(Flux.fromIterable(events), StandardCharsets.UTF_8).then();
                            })))
                    .bindNow();
        }
        return server.port();
    }

    /** @return the body of the last request received (canonical OpenAI chat, as the edge sent it) */
    public static JsonNode lastRequest() {
        return LAST.get();
    }

    private static byte[] fixture(String name) {
        try (InputStream in = ToolCallUpstream.class.getResourceAsStream("/golden/client-anthropic/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> events(byte[] transcript) {
        List<String> events = new ArrayList<>();
        for (String block : new String(transcript, StandardCharsets.UTF_8).split("\n\n")) {
            if (!block.isBlank()) {
                events.add(block + "\n\n");
            }
        }
        return events;
    }
}
