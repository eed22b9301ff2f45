package io.llmproxy.edge.stream;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Static helpers that frame server-sent events as UTF-8 bytes for a {@code text/event-stream}
 * response, per the WHATWG HTML Living Standard, section 9.2 "Server-sent events" (the
 * "event stream" format).
 *
 * <p>Shapes (LF line endings):
 * <ul>
 *   <li>{@link #data(String)}: {@code data: <json>\n\n}</li>
 *   <li>{@link #done()}: {@code data: [DONE]\n\n} (OpenAI end of stream)</li>
 *   <li>{@link #event(String, String)}: {@code event: <name>\ndata: <json>\n\n} (Anthropic style)</li>
 *   <li>{@link #comment(String)}: {@code : <text>\n\n} (keep-alive, ignored by clients)</li>
 * </ul>
 * Data containing line breaks (LF, CRLF or CR) is written as several {@code data:} lines, which a
 * conforming decoder joins back with {@code \n} (so CR and CRLF come back as LF). A space is always
 * written after the colon, so a value that itself starts with a space round-trips intact.
 */
public final class SseEncoder {

    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    private SseEncoder() {
    }

    /** {@code data: <json>\n\n}; multi-line data becomes several {@code data:} lines. */
    public static byte[] data(String json) {
        Objects.requireNonNull(json, "json");
        StringBuilder sb = new StringBuilder(json.length() + 8);
        appendData(sb, json);
        sb.append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code data: [DONE]\n\n}. */
    public static byte[] done() {
        return DONE.clone();
    }

    /**
     * {@code event: <name>\ndata: <json>\n\n}; multi-line data becomes several {@code data:} lines.
     *
     * @throws IllegalArgumentException when {@code name} contains a CR or LF
     */
    public static byte[] event(String name, String json) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(json, "json");
        requireSingleLine(name, "event name");
        StringBuilder sb = new StringBuilder(name.length() + json.length() + 16);
        sb.append("event: ").append(name).append('\n');
        appendData(sb, json);
        sb.append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code : <text>\n\n}, a comment line that clients ignore (keep-alive).
     *
     * @throws IllegalArgumentException when {@code text} contains a CR or LF
     */
    public static byte[] comment(String text) {
        Objects.requireNonNull(text, "text");
        requireSingleLine(text, "comment");
        return (": " + text + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void appendData(StringBuilder sb, String value) {
        int start = 0;
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == '\n' || c == '\r') {
                sb.append("data: ").append(value, start, i).append('\n');
                if (c == '\r' && i + 1 < n && value.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        sb.append("data: ").append(value, start, n).append('\n');
    }

    private static void requireSingleLine(String s, String what) {
        if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(what + " must not contain CR or LF");
        }
    }
}
