package io.llmproxy.edge.stream;

import java.util.Objects;

/**
 * One dispatched server-sent event, as produced by {@link SseDecoder}.
 *
 * <p>Shape, following the WHATWG HTML Living Standard, section 9.2 "Server-sent events",
 * "dispatch the event":
 * <ul>
 *   <li>{@code event} &mdash; the event type from the last {@code event:} line of this event, or
 *       {@code null} when the event had no {@code event:} line (or an empty one). The spec's
 *       default type for that case is {@code "message"}, see {@link #type()}. OpenAI streams have
 *       no {@code event:} lines; Anthropic streams name every event ({@code message_start},
 *       {@code content_block_delta}, {@code ping}, ...).</li>
 *   <li>{@code data} &mdash; never {@code null}: the values of all {@code data:} lines of the event
 *       joined with {@code "\n"} (no trailing newline). May be empty ({@code "data:"} alone).</li>
 *   <li>{@code id} &mdash; the stream's <em>last event ID</em> at dispatch time, or {@code null}
 *       when none has been set (or it was reset by an empty {@code id:} line). As in the spec's
 *       {@code MessageEvent.lastEventId}, it persists across events: an {@code id:} line applies to
 *       its own event and every later event until another {@code id:} line changes it.</li>
 * </ul>
 *
 * @param event event type, or {@code null} for the default ({@code message}) type
 * @param data  event data, lines joined with {@code \n}; never {@code null}
 * @param id    last event ID, or {@code null} when none
 */
public record SseEvent(String event, String data, String id) {

    /** The data value OpenAI-compatible streams send as their final event. */
    public static final String DONE = "[DONE]";

    public SseEvent {
        Objects.requireNonNull(data, "data");
    }

    /** An event with only data (no type, no id). */
    public static SseEvent ofData(String data) {
        return new SseEvent(null, data, null);
    }

    /** An event with a type and data (no id). */
    public static SseEvent of(String event, String data) {
        return new SseEvent(event, data, null);
    }

    /** {@code true} when {@link #data()} is exactly {@code [DONE]} (the OpenAI end-of-stream sentinel). */
    public boolean isDone() {
        return DONE.equals(data);
    }

    /** The event type as the spec exposes it: {@link #event()} or {@code "message"} when that is {@code null}. */
    public String type() {
        return event != null ? event : "message";
    }
}
