package io.llmproxy.edge.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Incremental decoder of a {@code text/event-stream} body into {@link SseEvent}s.
 *
 * <p>Follows the WHATWG HTML Living Standard, section 9.2 "Server-sent events", subsections
 * "parsing an event stream" and "interpreting an event stream":
 * <ul>
 *   <li>The byte stream is UTF-8; one leading byte order mark is skipped; malformed bytes decode to
 *       U+FFFD. Decoding is done per complete line from bytes, so a multi-byte character split
 *       across chunks is decoded correctly.</li>
 *   <li>Lines end with CRLF, LF or CR. A CR that ends one chunk followed by an LF that starts the
 *       next is a single line break.</li>
 *   <li>A blank line dispatches the pending event. A line starting with {@code :} is a comment and
 *       is ignored (providers use them as keep-alives). Otherwise the line is split at its first
 *       {@code :} into field name and value (no colon: the whole line is the name, the value is
 *       empty), and one space directly after the colon is removed ({@code data:x} and
 *       {@code data: x} both give {@code x}).</li>
 *   <li>Fields: {@code data} appends its value plus {@code \n} to the data buffer (so several data
 *       lines are joined with {@code \n}); {@code event} sets the event type; {@code id} sets the
 *       last event ID unless the value contains U+0000; {@code retry} and unknown fields are
 *       ignored (this decoder does not reconnect).</li>
 *   <li>On dispatch, an event whose data buffer is empty (no {@code data} line at all) is
 *       <em>not</em> dispatched, and its event type is discarded; otherwise one trailing {@code \n}
 *       is removed from the data and an {@link SseEvent} is emitted. The last event ID persists
 *       across events (see {@link SseEvent#id()}).</li>
 *   <li>End of stream: "Once the end of the file is reached, any pending data must be discarded.
 *       (If the file ends in the middle of an event, before the final empty line, the incomplete
 *       event is not dispatched.)" Hence {@link #finish()} always returns an empty list; use
 *       {@link #hasIncompleteEvent()} before it to detect a truncated stream.</li>
 * </ul>
 *
 * <p>Memory: the decoder never buffers a whole stream. It holds only the bytes of the current
 * incomplete line ({@link #bufferedBytes()}) and the fields of the event being assembled; both are
 * bounded by {@code maxPendingSize} (a {@link StreamFramingException} is thrown beyond it).
 *
 * <p>One instance per stream; not thread-safe. Pure Java, usable from any I/O stack.
 */
public final class SseDecoder {

    /** Default limit for one incomplete line (bytes) and for one pending event's data (chars): 8 MiB. */
    public static final int DEFAULT_MAX_PENDING_SIZE = 8 * 1024 * 1024;

    private final int maxPendingSize;
    private final LineBuffer line;
    /** The previous chunk ended with CR: an LF at the start of the next chunk belongs to that line break. */
    private boolean skipLeadingLf;
    private final StringBuilder data = new StringBuilder();
    private String eventType = "";
    private String lastEventId = "";
    private boolean finished;

    /** A decoder with the {@linkplain #DEFAULT_MAX_PENDING_SIZE default limit}. */
    public SseDecoder() {
        this(DEFAULT_MAX_PENDING_SIZE);
    }

    /**
     * @param maxPendingSize maximum bytes of one incomplete line and maximum chars of the data of
     *                       one pending event; exceeding either throws {@link StreamFramingException}
     */
    public SseDecoder(int maxPendingSize) {
        this.maxPendingSize = maxPendingSize;
        this.line = new LineBuffer(maxPendingSize);
    }

    /** Feeds a whole array; see {@link #feed(byte[], int, int)}. */
    public List<SseEvent> feed(byte[] bytes) {
        return feed(bytes, 0, bytes.length);
    }

    /**
     * Feeds the next chunk of the stream and returns the events it completes, in order (an empty
     * immutable list when none). The bytes are not retained beyond the incomplete trailing line,
     * which is copied.
     *
     * @throws StreamFramingException when a line or an event exceeds the configured limit
     * @throws IllegalStateException  when called after {@link #finish()}
     */
    public List<SseEvent> feed(byte[] bytes, int offset, int length) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (finished) {
            throw new IllegalStateException("feed after finish");
        }
        int end = offset + length;
        int i = offset;
        if (skipLeadingLf && i < end) {
            skipLeadingLf = false;
            if (bytes[i] == '\n') {
                i++;
            }
        }
        List<SseEvent> out = null;
        int lineStart = i;
        while (i < end) {
            byte b = bytes[i];
            if (b != '\n' && b != '\r') {
                i++;
                continue;
            }
            out = processLine(line.complete(bytes, lineStart, i, false), out);
            i++;
            if (b == '\r') {
                if (i < end) {
                    if (bytes[i] == '\n') {
                        i++;
                    }
                } else {
                    skipLeadingLf = true;
                }
            }
            lineStart = i;
        }
        line.append(bytes, lineStart, end);
        return out == null ? List.of() : out;
    }

    /**
     * Signals the end of the stream. Per the WHATWG spec any pending data is discarded at end of
     * file, so an incomplete event (not terminated by a blank line) is never dispatched: this method
     * always returns an empty list. It exists so callers treat both decoders alike and so the
     * decoder releases its buffers; further {@code feed} calls throw. Idempotent.
     */
    public List<SseEvent> finish() {
        finished = true;
        line.clear();
        data.setLength(0);
        data.trimToSize();
        eventType = "";
        skipLeadingLf = false;
        return List.of();
    }

    /**
     * {@code true} when bytes of an unterminated line or fields of an undispatched event are
     * pending, i.e. when ending the stream now would discard something (a truncated upstream).
     */
    public boolean hasIncompleteEvent() {
        return line.size() > 0 || data.length() > 0 || !eventType.isEmpty();
    }

    /** Number of bytes of the current incomplete line held between chunks. */
    public int bufferedBytes() {
        return line.size();
    }

    private List<SseEvent> processLine(String text, List<SseEvent> out) {
        if (text.isEmpty()) {
            return dispatch(out);
        }
        if (text.charAt(0) == ':') {
            return out; // comment / keep-alive
        }
        int colon = text.indexOf(':');
        String field;
        String value;
        if (colon < 0) {
            field = text;
            value = "";
        } else {
            field = text.substring(0, colon);
            int valueStart = colon + 1;
            if (valueStart < text.length() && text.charAt(valueStart) == ' ') {
                valueStart++;
            }
            value = text.substring(valueStart);
        }
        switch (field) {
            case "data" -> {
                if ((long) data.length() + value.length() + 1 > maxPendingSize) {
                    throw new StreamFramingException(
                            "event data exceeds " + maxPendingSize + " chars without dispatch");
                }
                data.append(value).append('\n');
            }
            case "event" -> eventType = value;
            case "id" -> {
                if (value.indexOf('\u0000') < 0) {
                    lastEventId = value;
                }
            }
            default -> {
                // "retry" (reconnection time) and unknown fields are ignored
            }
        }
        return out;
    }

    private List<SseEvent> dispatch(List<SseEvent> out) {
        if (data.isEmpty()) {
            eventType = "";
            return out;
        }
        String value = data.substring(0, data.length() - 1); // remove the trailing \n
        SseEvent event = new SseEvent(
                eventType.isEmpty() ? null : eventType,
                value,
                lastEventId.isEmpty() ? null : lastEventId);
        data.setLength(0);
        eventType = "";
        if (out == null) {
            out = new ArrayList<>(4);
        }
        out.add(event);
        return out;
    }
}
