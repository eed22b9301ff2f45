package io.llmproxy.edge.chat;

import io.llmproxy.edge.gateway.ErrorFormat;
import io.llmproxy.edge.gateway.GatewayError;
import io.llmproxy.edge.provider.Translated;
import java.util.function.UnaryOperator;

/**
 * One client API format (OpenAI, Anthropic, Ollama…) for one chat call: translates the client's
 * request into the canonical model (OpenAI chat completions), and the canonical answer — the bytes
 * a {@link io.llmproxy.edge.provider.ChatTranslator} produces, i.e. a {@code chat.completion} JSON
 * body or {@code chat.completion.chunk} SSE events ending with {@code data: [DONE]} — back into the
 * client's format. Errors ({@link GatewayError}) are rendered in the client's format too.
 *
 * <p>One object per request (it may keep state across stream chunks); called from one thread at a
 * time. Imports no Spring, Reactor or Netty types: the {@link ChatPipeline} does the HTTP.
 */
public interface ClientCodec extends ErrorFormat {

    /** @return the usage event's {@code endpoint} (e.g. {@code chat.completions}, {@code messages}, {@code ollama.chat}) */
    String endpoint();

    /**
     * @param header request header by name (case-insensitive), null when absent
     * @return the credential as an {@code Authorization} value ({@code Bearer <key>}), or null
     */
    default String authorization(UnaryOperator<String> header) {
        return header.apply("Authorization");
    }

    /** @return the message of the 401 a request without a key gets */
    String missingKeyMessage();

    /**
     * @param body the client's request body bytes
     * @return the request in the canonical model
     * @throws ClientRequestException for a body the client API refuses (400)
     */
    CanonicalRequest canonical(byte[] body);

    /** @return {@code Content-Type} of a non-stream answer and of error bodies ({@code application/json}) */
    @Override
    default String contentType() {
        return "application/json";
    }

    /** @return {@code Content-Type} of a stream ({@code text/event-stream}, {@code application/x-ndjson}) */
    String streamContentType();

    /**
     * @param canonical the translator's {@link Translated#bytes()} of a 2xx non-stream answer
     *                  ({@code chat.completion} JSON)
     * @return the client's body
     */
    byte[] response(byte[] canonical);

    /**
     * @param piece one translated piece of the upstream stream: canonical SSE events (may be empty),
     *              {@link Translated#done()} on the last one
     * @return bytes to send to the client now (may be empty)
     */
    byte[] streamChunk(Translated piece);

    /** @return the error body of a non-stream answer (status and {@code Retry-After} are set by {@code GatewayResponses}) */
    @Override
    byte[] error(GatewayError error);

    /** @return the bytes that end a stream with an error (the response status is already 200) */
    byte[] streamError(GatewayError error);
}
