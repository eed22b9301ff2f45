package io.llmproxy.edge.stream;

import static io.llmproxy.edge.stream.StreamFixtures.ANTHROPIC;
import static io.llmproxy.edge.stream.StreamFixtures.OPENAI;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.stream.StreamFixtures.LineEnding;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property-style tests over provider transcripts: however the bytes are chunked, and whichever
 * line ending is used, the decoder yields exactly the events of the whole LF transcript.
 */
class SseDecoderTranscriptTest {

    static Stream<Arguments> transcripts() {
        return Stream.of(OPENAI, ANTHROPIC).flatMap(resource -> Stream.of(LineEnding.values())
                .map(ending -> Arguments.of(resource, ending)));
    }

    /** Reference events of an LF fixture, by a naive whole-text split (valid for these fixtures only). */
    private static List<SseEvent> naive(String lfText) {
        List<SseEvent> events = new ArrayList<>();
        for (String block : lfText.split("\n\n")) {
            String event = null;
            List<String> data = new ArrayList<>();
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                    event = line.substring("event: ".length());
                } else if (line.startsWith("data: ")) {
                    data.add(line.substring("data: ".length()));
                }
            }
            if (!data.isEmpty()) {
                events.add(new SseEvent(event, String.join("\n", data), null));
            }
        }
        return events;
    }

    private static List<SseEvent> expected(String resource) {
        return naive(StreamFixtures.load(resource));
    }

    @Test
    void openAiTranscriptDecodesToChunksUsageAndDone() {
        byte[] bytes = StreamFixtures.utf8(StreamFixtures.load(OPENAI));
        List<SseEvent> events = StreamFixtures.decodeSse(bytes, StreamFixtures.chunks(bytes.length));

        assertThat(events).hasSize(8).allSatisfy(e -> {
            assertThat(e.event()).isNull();
            assertThat(e.type()).isEqualTo("message");
            assertThat(e.id()).isNull();
        });
        assertThat(events.subList(0, 7)).allSatisfy(e -> {
            assertThat(e.isDone()).isFalse();
            assertThat(e.data()).startsWith("{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\"");
        });
        assertThat(events.get(4).data()).contains("\"content\":\" ☕ 😀\"");
        assertThat(events.get(6).data())
                .contains("\"choices\":[]")
                .contains("\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,\"total_tokens\":21");
        assertThat(events.get(7)).isEqualTo(SseEvent.ofData("[DONE]"));
        assertThat(events.get(7).isDone()).isTrue();
        assertThat(events).isEqualTo(expected(OPENAI));
    }

    @Test
    void anthropicTranscriptDecodesNamedEventsIncludingPing() {
        byte[] bytes = StreamFixtures.utf8(StreamFixtures.load(ANTHROPIC));
        List<SseEvent> events = StreamFixtures.decodeSse(bytes, StreamFixtures.chunks(bytes.length));

        assertThat(events).extracting(SseEvent::event).containsExactly(
                "message_start", "content_block_start", "ping", "content_block_delta",
                "content_block_delta", "ping", "content_block_stop", "message_delta", "message_stop");
        assertThat(events).noneMatch(SseEvent::isDone);
        assertThat(events.get(2).data()).isEqualTo("{\"type\": \"ping\"}");
        assertThat(events.get(4).data()).contains("\"text\":\"! Ça va ? 😀\"");
        assertThat(events.get(7).data()).contains("\"usage\":{\"output_tokens\":15}");
        assertThat(events).isEqualTo(expected(ANTHROPIC));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transcripts")
    void wholeFeedWithAnyLineEndingGivesTheSameEvents(String resource, LineEnding ending) {
        byte[] bytes = ending.apply(StreamFixtures.load(resource));
        assertThat(StreamFixtures.decodeSse(bytes, StreamFixtures.chunks(bytes.length)))
                .isEqualTo(expected(resource));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transcripts")
    void splitIntoTwoChunksAtEveryPosition(String resource, LineEnding ending) {
        byte[] bytes = ending.apply(StreamFixtures.load(resource));
        List<SseEvent> expected = expected(resource);
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertThat(StreamFixtures.decodeSse(bytes, StreamFixtures.chunks(bytes.length, cut)))
                    .as("cut at %d", cut)
                    .isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transcripts")
    void randomSplitsIntoUpToTwentyChunks(String resource, LineEnding ending) {
        byte[] bytes = ending.apply(StreamFixtures.load(resource));
        List<SseEvent> expected = expected(resource);
        int n = 0;
        for (List<int[]> chunking : StreamFixtures.randomChunkings(bytes.length)) {
            assertThat(StreamFixtures.decodeSse(bytes, chunking))
                    .as("random splitting #%d (seed %x)", n++, StreamFixtures.SEED)
                    .isEqualTo(expected);
        }
        assertThat(n).isEqualTo(StreamFixtures.RANDOM_SPLITTINGS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transcripts")
    void oneByteChunks(String resource, LineEnding ending) {
        byte[] bytes = ending.apply(StreamFixtures.load(resource));
        assertThat(StreamFixtures.decodeSse(bytes, StreamFixtures.oneByteChunks(bytes.length)))
                .isEqualTo(expected(resource));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transcripts")
    void eventsAreEmittedAsSoonAsTheirBlankLineArrives(String resource, LineEnding ending) {
        // streaming, not buffering: after each byte, the events so far are exactly those whose
        // terminating blank line is complete (for CRLF the final LF is not needed to dispatch)
        byte[] bytes = ending.apply(StreamFixtures.load(resource));
        List<SseEvent> expected = expected(resource);
        SseDecoder decoder = new SseDecoder();
        List<SseEvent> seen = new ArrayList<>();
        // the blank line is recognised at its own terminator: LF LF, CR LF CR, CR CR
        byte[] trigger = StreamFixtures.utf8(ending == LineEnding.CRLF ? "\r\n\r" : ending.separator + ending.separator);
        int dispatchedSoFar = 0;
        for (int i = 0; i < bytes.length; i++) {
            seen.addAll(decoder.feed(bytes, i, 1));
            if (endsWith(bytes, i + 1, trigger)) {
                dispatchedSoFar++;
            }
            assertThat(seen).as("after byte %d", i).hasSize(dispatchedSoFar);
            assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(StreamFixtures.longestLineBytes(bytes));
        }
        assertThat(decoder.finish()).isEmpty();
        assertThat(seen).isEqualTo(expected);
    }

    private static boolean endsWith(byte[] bytes, int end, byte[] suffix) {
        if (end < suffix.length) {
            return false;
        }
        for (int k = 0; k < suffix.length; k++) {
            if (bytes[end - suffix.length + k] != suffix[k]) {
                return false;
            }
        }
        return true;
    }
}
