package io.llmproxy.edge.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Incremental splitter of a newline-delimited JSON stream (NDJSON, {@code application/x-ndjson})
 * into its lines, as streamed by Ollama ({@code /api/chat}, {@code /api/generate} with
 * {@code "stream": true}): one JSON object per line, the last one with {@code "done": true}
 * carrying {@code prompt_eval_count} / {@code eval_count} (see the Ollama API docs, "Streaming
 * responses").
 *
 * <p>Shape: each complete line is returned as a {@code String} without its line terminator and
 * is not otherwise trimmed or parsed. Lines end with LF; a CR directly before the LF is removed
 * (CRLF tolerated, also when the CR and LF arrive in different chunks). A lone CR is not a line
 * break (raw CR cannot occur inside a JSON string). Blank lines (empty or whitespace only) are
 * skipped. The stream is UTF-8, decoded per complete line from bytes, so a multi-byte character
 * split across chunks is decoded correctly; one leading byte order mark is skipped.
 *
 * <p>Memory: only the current incomplete line is held ({@link #bufferedBytes()}), bounded by
 * {@code maxLineBytes}. One instance per stream; not thread-safe; pure Java.
 */
public final class NdjsonDecoder {

    /** Default maximum length of one line: 8 MiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

    private final LineBuffer line;
    private boolean finished;

    /** A decoder with the {@linkplain #DEFAULT_MAX_LINE_BYTES default limit}. */
    public NdjsonDecoder() {
        this(DEFAULT_MAX_LINE_BYTES);
    }

    /** @param maxLineBytes maximum bytes of one line; beyond it {@link StreamFramingException} is thrown */
    public NdjsonDecoder(int maxLineBytes) {
        this.line = new LineBuffer(maxLineBytes);
    }

    /** Feeds a whole array; see {@link #feed(byte[], int, int)}. */
    public List<String> feed(byte[] bytes) {
        return feed(bytes, 0, bytes.length);
    }

    /**
     * Feeds the next chunk and returns the non-blank lines it completes, in order (an empty
     * immutable list when none).
     *
     * @throws StreamFramingException when a line exceeds the configured limit
     * @throws IllegalStateException  when called after {@link #finish()}
     */
    public List<String> feed(byte[] bytes, int offset, int length) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (finished) {
            throw new IllegalStateException("feed after finish");
        }
        int end = offset + length;
        List<String> out = null;
        int lineStart = offset;
        for (int i = offset; i < end; i++) {
            if (bytes[i] == '\n') {
                String text = line.complete(bytes, lineStart, i, true);
                if (!text.isBlank()) {
                    if (out == null) {
                        out = new ArrayList<>(4);
                    }
                    out.add(text);
                }
                lineStart = i + 1;
            }
        }
        line.append(bytes, lineStart, end);
        return out == null ? List.of() : out;
    }

    /**
     * Signals the end of the stream and returns the final line if it was not terminated by a
     * newline and is not blank (a list of zero or one element). Further {@code feed} calls throw;
     * a second call returns an empty list.
     */
    public List<String> finish() {
        if (finished) {
            return List.of();
        }
        finished = true;
        String text = line.drain(true);
        line.clear();
        return text.isBlank() ? List.of() : List.of(text);
    }

    /** Number of bytes of the current incomplete line held between chunks. */
    public int bufferedBytes() {
        return line.size();
    }
}
