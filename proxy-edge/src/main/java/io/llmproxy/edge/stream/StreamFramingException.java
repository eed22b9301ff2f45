package io.llmproxy.edge.stream;

/**
 * Thrown by {@link SseDecoder} and {@link NdjsonDecoder} when an upstream stream cannot be framed
 * within the configured limits (a line or a pending event larger than the decoder's maximum).
 * The stream should be treated as broken (e.g. answered with a 502 or a terminal error event).
 */
public class StreamFramingException extends RuntimeException {

    public StreamFramingException(String message) {
        super(message);
    }
}
