package io.llmproxy.edge.chat;

import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.stream.SseDecoder;
import io.llmproxy.edge.stream.SseEvent;
import java.io.ByteArrayOutputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client format whose stream is not the canonical one (Anthropic events, Ollama NDJSON): decodes
 * the canonical {@code chat.completion.chunk} SSE events of each translated piece and hands every
 * chunk to {@link #chunk}, then calls {@link #finish} once at {@code [DONE]} or the last piece.
 * Subclasses write their own format into the buffer they are given.
 */
public abstract class ReencodingCodec implements ClientCodec {

    protected final JsonMapper json;
    private final SseDecoder canonicalEvents = new SseDecoder();

    protected ReencodingCodec(JsonMapper json) {
        this.json = json;
    }

    @Override
    public final byte[] streamChunk(Translated piece) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        if (piece.bytes().length > 0) {
            for (SseEvent event : canonicalEvents.feed(piece.bytes())) {
                if (event.isDone()) {
                    finish(out);
                } else {
                    chunk(json.readTree(event.data()), out);
                }
            }
        }
        if (piece.done()) {
            finish(out);
        }
        return out.toByteArray();
    }

    /** Writes what one canonical {@code chat.completion.chunk} becomes in the client's format. */
    protected abstract void chunk(JsonNode chunk, ByteArrayOutputStream out);

    /** Writes the end of the client's stream; called again after the end, it must write nothing. */
    protected abstract void finish(ByteArrayOutputStream out);
}
