package io.llmproxy.edge.stream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Test helpers: fixture loading, line-ending variants and chunkings of a byte array. */
final class StreamFixtures {

    static final String OPENAI = "stream/openai-chat-completion-stream.txt";
    static final String ANTHROPIC = "stream/anthropic-messages-stream.txt";
    static final String OLLAMA = "stream/ollama-chat-stream.ndjson";

    static final long SEED = 0x5EED_11A_F00DL;
    static final int RANDOM_SPLITTINGS = 500;
    static final int MAX_RANDOM_CHUNKS = 20;

    private StreamFixtures() {
    }

    /** Line ending used to rewrite a fixture written with LF. */
    enum LineEnding {
        LF("\n"), CRLF("\r\n"), CR("\r");

        final String separator;

        LineEnding(String separator) {
            this.separator = separator;
        }

        byte[] apply(String lfText) {
            return lfText.replace("\n", separator).getBytes(StandardCharsets.UTF_8);
        }
    }

    static String load(String resource) {
        try (InputStream in = StreamFixtures.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            // fixtures are authored with LF; normalise in case a checkout converted them
            return text.replace("\r\n", "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Longest line of the fixture in bytes (including its terminator), an upper bound for buffering. */
    static int longestLineBytes(byte[] bytes) {
        int longest = 0;
        int current = 0;
        for (byte b : bytes) {
            current++;
            if (b == '\n' || b == '\r') {
                longest = Math.max(longest, current);
                current = 0;
            }
        }
        return Math.max(longest, current);
    }

    /** Chunk boundaries [0, cuts..., n]; cut points may repeat (giving empty chunks). */
    static List<int[]> chunks(int length, int... cuts) {
        int[] sorted = cuts.clone();
        Arrays.sort(sorted);
        List<int[]> out = new ArrayList<>(sorted.length + 1);
        int start = 0;
        for (int cut : sorted) {
            out.add(new int[] {start, cut - start});
            start = cut;
        }
        out.add(new int[] {start, length - start});
        return out;
    }

    static List<int[]> oneByteChunks(int length) {
        List<int[]> out = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            out.add(new int[] {i, 1});
        }
        return out;
    }

    /** {@link #RANDOM_SPLITTINGS} random chunkings into 1..{@link #MAX_RANDOM_CHUNKS} chunks, fixed seed. */
    static List<List<int[]>> randomChunkings(int length) {
        Random random = new Random(SEED);
        List<List<int[]>> out = new ArrayList<>(RANDOM_SPLITTINGS);
        for (int s = 0; s < RANDOM_SPLITTINGS; s++) {
            int chunkCount = 1 + random.nextInt(MAX_RANDOM_CHUNKS);
            int[] cuts = new int[chunkCount - 1];
            for (int c = 0; c < cuts.length; c++) {
                cuts[c] = random.nextInt(length + 1);
            }
            out.add(chunks(length, cuts));
        }
        return out;
    }

    /**
     * Feeds {@code bytes} chunk by chunk (through the offset/length overload, alternately with a
     * copied array so that no decoder relies on the caller's array), then finishes, checking after
     * every chunk that the decoder buffers at most {@code maxBuffered} bytes.
     */
    static <T> List<T> feedChunks(
            byte[] bytes,
            List<int[]> chunks,
            Feeder<T> feeder,
            int maxBuffered) {
        List<T> out = new ArrayList<>();
        int k = 0;
        for (int[] chunk : chunks) {
            if ((k++ & 1) == 0) {
                out.addAll(feeder.feed(bytes, chunk[0], chunk[1]));
            } else {
                byte[] copy = Arrays.copyOfRange(bytes, chunk[0], chunk[0] + chunk[1]);
                out.addAll(feeder.feed(copy, 0, copy.length));
                Arrays.fill(copy, (byte) 'X'); // a decoder that kept a reference would now see garbage
            }
            int buffered = feeder.bufferedBytes();
            if (buffered > maxBuffered) {
                throw new AssertionError("buffered " + buffered + " bytes > longest line " + maxBuffered);
            }
        }
        out.addAll(feeder.finish());
        return out;
    }

    /** Adapter over the two decoders. */
    interface Feeder<T> {
        List<T> feed(byte[] bytes, int offset, int length);

        List<T> finish();

        int bufferedBytes();

        static Feeder<SseEvent> of(SseDecoder d) {
            return new Feeder<>() {
                public List<SseEvent> feed(byte[] b, int o, int l) { return d.feed(b, o, l); }
                public List<SseEvent> finish() { return d.finish(); }
                public int bufferedBytes() { return d.bufferedBytes(); }
            };
        }

        static Feeder<String> of(NdjsonDecoder d) {
            return new Feeder<>() {
                public List<String> feed(byte[] b, int o, int l) { return d.feed(b, o, l); }
                public List<String> finish() { return d.finish(); }
                public int bufferedBytes() { return d.bufferedBytes(); }
            };
        }
    }

    static List<SseEvent> decodeSse(byte[] bytes, List<int[]> chunks) {
        return feedChunks(bytes, chunks, Feeder.of(new SseDecoder()), longestLineBytes(bytes));
    }

    static List<String> decodeNdjson(byte[] bytes, List<int[]> chunks) {
        return feedChunks(bytes, chunks, Feeder.of(new NdjsonDecoder()), longestLineBytes(bytes));
    }
}
