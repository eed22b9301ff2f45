package io.llmproxy.edge.stream;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Holds the bytes of the current incomplete line between chunks and decodes complete lines as UTF-8.
 *
 * <p>Lines are decoded from bytes only once complete, so a multi-byte UTF-8 sequence split across
 * chunks is decoded correctly (CR and LF bytes never occur inside a multi-byte UTF-8 sequence, so
 * line boundaries are always character boundaries). Malformed sequences decode to U+FFFD, as the
 * WHATWG "UTF-8 decode" does. One UTF-8 byte order mark at the very start of the stream is skipped.
 *
 * <p>Package-private: an implementation detail of {@link SseDecoder} and {@link NdjsonDecoder}.
 */
final class LineBuffer {

    private static final int INITIAL_CAPACITY = 256;
    private static final int RETAIN_CAPACITY = 64 * 1024;

    private final int maxBytes;
    private byte[] buf = new byte[INITIAL_CAPACITY];
    private int len;
    private boolean atStreamStart = true;

    LineBuffer(int maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** Number of bytes currently held (the incomplete line). */
    int size() {
        return len;
    }

    /** Appends {@code bytes[from, to)} to the incomplete line. */
    void append(byte[] bytes, int from, int to) {
        int n = to - from;
        if (n <= 0) {
            return;
        }
        if ((long) len + n > maxBytes) {
            throw new StreamFramingException(
                    "line exceeds " + maxBytes + " bytes without a line break");
        }
        if (len + n > buf.length) {
            int newCap = (int) Math.min(maxBytes, Math.max((long) buf.length * 2, (long) len + n));
            buf = Arrays.copyOf(buf, newCap);
        }
        System.arraycopy(bytes, from, buf, len, n);
        len += n;
    }

    /**
     * Completes the current line with {@code bytes[from, to)} (the bytes before the line terminator
     * in the current chunk) and returns it decoded; the buffer is then empty.
     *
     * @param stripTrailingCr remove one trailing CR byte (for LF-only framings that tolerate CRLF)
     */
    String complete(byte[] bytes, int from, int to, boolean stripTrailingCr) {
        if (len == 0) {
            return decode(bytes, from, to, stripTrailingCr);
        }
        append(bytes, from, to);
        return drain(stripTrailingCr);
    }

    /** Returns the held bytes decoded (possibly an empty string) and empties the buffer. */
    String drain(boolean stripTrailingCr) {
        String line = decode(buf, 0, len, stripTrailingCr);
        len = 0;
        if (buf.length > RETAIN_CAPACITY) {
            buf = new byte[INITIAL_CAPACITY];
        }
        return line;
    }

    /** Drops the held bytes. */
    void clear() {
        len = 0;
        buf = new byte[INITIAL_CAPACITY];
    }

    private String decode(byte[] bytes, int from, int to, boolean stripTrailingCr) {
        if (atStreamStart) {
            atStreamStart = false;
            if (to - from >= 3
                    && bytes[from] == (byte) 0xEF
                    && bytes[from + 1] == (byte) 0xBB
                    && bytes[from + 2] == (byte) 0xBF) {
                from += 3;
            }
        }
        if (stripTrailingCr && to > from && bytes[to - 1] == '\r') {
            to--;
        }
        return to == from ? "" : new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }
}
