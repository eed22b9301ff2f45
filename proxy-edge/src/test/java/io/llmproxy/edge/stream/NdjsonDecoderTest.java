package io.llmproxy.edge.stream;

import static io.llmproxy.edge.stream.StreamFixtures.OLLAMA;
import static io.llmproxy.edge.stream.StreamFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NdjsonDecoderTest {

    private static List<String> expectedLines() {
        return Arrays.stream(StreamFixtures.load(OLLAMA).split("\n")).filter(l -> !l.isBlank()).toList();
    }

    /** The Ollama fixture with LF or CRLF; optionally without the final newline. */
    private static byte[] ollama(StreamFixtures.LineEnding ending, boolean finalNewline) {
        String text = StreamFixtures.load(OLLAMA);
        if (!finalNewline) {
            text = text.stripTrailing();
        }
        return ending.apply(text);
    }

    private static List<String> decodeChunks(String... chunks) {
        NdjsonDecoder decoder = new NdjsonDecoder();
        List<String> out = new ArrayList<>();
        for (String chunk : chunks) {
            out.addAll(decoder.feed(utf8(chunk)));
        }
        out.addAll(decoder.finish());
        return out;
    }

    @Test
    void ollamaTranscriptDecodesToObjectsEndingWithDoneAndCounts() {
        byte[] bytes = ollama(StreamFixtures.LineEnding.LF, true);
        List<String> lines = StreamFixtures.decodeNdjson(bytes, StreamFixtures.chunks(bytes.length));
        assertThat(lines).hasSize(6).isEqualTo(expectedLines());
        assertThat(lines.subList(0, 5)).allSatisfy(l -> assertThat(l).startsWith("{\"model\":\"llama3.2\"").endsWith("\"done\":false}"));
        assertThat(lines.get(3)).contains("\"content\":\" blue — très bleu 😀\"");
        assertThat(lines.get(5))
                .contains("\"done\":true")
                .contains("\"prompt_eval_count\":26")
                .contains("\"eval_count\":282")
                .endsWith("}");
    }

    @ParameterizedTest
    @EnumSource(value = StreamFixtures.LineEnding.class, names = {"LF", "CRLF"})
    void splitIntoTwoChunksAtEveryPosition(StreamFixtures.LineEnding ending) {
        for (boolean finalNewline : new boolean[] {true, false}) {
            byte[] bytes = ollama(ending, finalNewline);
            for (int cut = 0; cut <= bytes.length; cut++) {
                assertThat(StreamFixtures.decodeNdjson(bytes, StreamFixtures.chunks(bytes.length, cut)))
                        .as("cut at %d, final newline %s", cut, finalNewline)
                        .isEqualTo(expectedLines());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = StreamFixtures.LineEnding.class, names = {"LF", "CRLF"})
    void randomSplitsAndOneByteChunks(StreamFixtures.LineEnding ending) {
        byte[] bytes = ollama(ending, true);
        int n = 0;
        for (List<int[]> chunking : StreamFixtures.randomChunkings(bytes.length)) {
            assertThat(StreamFixtures.decodeNdjson(bytes, chunking))
                    .as("random splitting #%d", n++)
                    .isEqualTo(expectedLines());
        }
        assertThat(StreamFixtures.decodeNdjson(bytes, StreamFixtures.oneByteChunks(bytes.length)))
                .isEqualTo(expectedLines());
    }

    @Test
    void linesAreReturnedAsSoonAsComplete() {
        NdjsonDecoder decoder = new NdjsonDecoder();
        assertThat(decoder.feed(utf8("{\"a\":1}\n{\"b\""))).containsExactly("{\"a\":1}");
        assertThat(decoder.bufferedBytes()).isEqualTo(4);
        assertThat(decoder.feed(utf8(":2}\r"))).isEmpty();
        assertThat(decoder.feed(utf8("\n"))).containsExactly("{\"b\":2}");
        assertThat(decoder.bufferedBytes()).isZero();
    }

    @Test
    void finalLineWithoutNewlineIsReturnedByFinish() {
        NdjsonDecoder decoder = new NdjsonDecoder();
        assertThat(decoder.feed(utf8("{\"a\":1}\n{\"done\":true}"))).containsExactly("{\"a\":1}");
        assertThat(decoder.finish()).containsExactly("{\"done\":true}");
        assertThat(decoder.finish()).isEmpty();
        assertThatThrownBy(() -> decoder.feed(utf8("x"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void finishReturnsNothingForBlankOrCrOnlyRemainder() {
        assertThat(decodeChunks("{\"a\":1}\n   ")).containsExactly("{\"a\":1}");
        assertThat(decodeChunks("{\"a\":1}\r")).containsExactly("{\"a\":1}");
        assertThat(decodeChunks("\r")).isEmpty();
        assertThat(decodeChunks()).isEmpty();
    }

    @Test
    void blankLinesAreSkipped() {
        assertThat(decodeChunks("\n\n{\"a\":1}\n \n\t\r\n\r\n{\"b\":2}\n\n"))
                .containsExactly("{\"a\":1}", "{\"b\":2}");
    }

    @Test
    void linesAreNotTrimmedOtherwise() {
        assertThat(decodeChunks("  {\"a\":1} \n")).containsExactly("  {\"a\":1} ");
    }

    @Test
    void loneCrIsNotALineBreak() {
        assertThat(decodeChunks("{\"a\":\r1}\n")).containsExactly("{\"a\":\r1}");
    }

    @Test
    void multiByteCharacterSplitAtEveryByte() {
        byte[] bytes = utf8("{\"content\":\"é € 😀\"}\n");
        for (int cut = 0; cut <= bytes.length; cut++) {
            NdjsonDecoder decoder = new NdjsonDecoder();
            List<String> out = new ArrayList<>(decoder.feed(Arrays.copyOfRange(bytes, 0, cut)));
            out.addAll(decoder.feed(Arrays.copyOfRange(bytes, cut, bytes.length)));
            out.addAll(decoder.finish());
            assertThat(out).as("cut at %d", cut).containsExactly("{\"content\":\"é € 😀\"}");
        }
    }

    @Test
    void leadingByteOrderMarkIsSkipped() {
        byte[] bytes = SseDecoderTest.concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("{\"a\":1}"));
        NdjsonDecoder decoder = new NdjsonDecoder();
        assertThat(decoder.feed(bytes, 0, 2)).isEmpty();
        assertThat(decoder.feed(bytes, 2, bytes.length - 2)).isEmpty();
        assertThat(decoder.finish()).containsExactly("{\"a\":1}");
    }

    @Test
    void lineBeyondLimitFails() {
        NdjsonDecoder decoder = new NdjsonDecoder(8);
        assertThat(decoder.feed(utf8("{\"a\":1}\n"))).containsExactly("{\"a\":1}");
        decoder.feed(utf8("{\"a\":12"));
        assertThatThrownBy(() -> decoder.feed(utf8("34}"))).isInstanceOf(StreamFramingException.class);
    }
}
