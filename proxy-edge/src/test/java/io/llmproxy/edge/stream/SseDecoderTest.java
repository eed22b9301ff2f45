package io.llmproxy.edge.stream;

import static io.llmproxy.edge.stream.StreamFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Specific cases of the WHATWG "interpreting an event stream" rules. */
class SseDecoderTest {

    private static List<SseEvent> decode(String stream) {
        SseDecoder decoder = new SseDecoder();
        List<SseEvent> out = new ArrayList<>(decoder.feed(utf8(stream)));
        out.addAll(decoder.finish());
        return out;
    }

    private static List<SseEvent> decodeChunks(byte[]... chunks) {
        SseDecoder decoder = new SseDecoder();
        List<SseEvent> out = new ArrayList<>();
        for (byte[] chunk : chunks) {
            out.addAll(decoder.feed(chunk));
        }
        out.addAll(decoder.finish());
        return out;
    }

    private static List<SseEvent> decodeChunks(String... chunks) {
        return decodeChunks(Arrays.stream(chunks).map(StreamFixtures::utf8).toArray(byte[][]::new));
    }

    @Nested
    class Fields {

        @Test
        void spaceAfterColonIsOptional() {
            assertThat(decode("data:x\n\n")).containsExactly(SseEvent.ofData("x"));
            assertThat(decode("data: x\n\n")).containsExactly(SseEvent.ofData("x"));
            assertThat(decode("event:ping\ndata:{}\n\n")).containsExactly(SseEvent.of("ping", "{}"));
        }

        @Test
        void onlyOneSpaceAfterColonIsRemoved() {
            assertThat(decode("data:  x \n\n")).containsExactly(SseEvent.ofData(" x "));
            assertThat(decode("data:\tx\n\n")).containsExactly(SseEvent.ofData("\tx"));
        }

        @Test
        void valueMayContainColons() {
            assertThat(decode("data: {\"a\":\"b:c\"}\n\n")).containsExactly(SseEvent.ofData("{\"a\":\"b:c\"}"));
        }

        @Test
        void multipleDataLinesAreJoinedWithLf() {
            assertThat(decode("data: first\ndata: second\ndata:third\n\n"))
                    .containsExactly(SseEvent.ofData("first\nsecond\nthird"));
        }

        @Test
        void emptyDataLinesAreKept() {
            assertThat(decode("data\n\n")).containsExactly(SseEvent.ofData(""));
            assertThat(decode("data:\n\n")).containsExactly(SseEvent.ofData(""));
            assertThat(decode("data: a\ndata:\ndata: b\n\n")).containsExactly(SseEvent.ofData("a\n\nb"));
            assertThat(decode("data: a\ndata:\n\n")).containsExactly(SseEvent.ofData("a\n"));
        }

        @Test
        void lastEventLineWins() {
            assertThat(decode("event: a\nevent: b\ndata: x\n\n")).containsExactly(SseEvent.of("b", "x"));
        }

        @Test
        void emptyEventTypeMeansDefaultType() {
            List<SseEvent> events = decode("event:\ndata: x\n\n");
            assertThat(events).containsExactly(SseEvent.ofData("x"));
            assertThat(events.getFirst().type()).isEqualTo("message");
        }

        @Test
        void fieldNamesAreCaseSensitiveAndUnknownFieldsIgnored() {
            assertThat(decode("Data: no\nfoo: bar\nretry: 3000\nretry: soon\ndata: yes\n\n"))
                    .containsExactly(SseEvent.ofData("yes"));
        }

        @Test
        void leadingSpaceMakesAnUnknownField() {
            assertThat(decode(" data: x\n\n")).isEmpty();
        }
    }

    @Nested
    class Comments {

        @Test
        void commentAndKeepAliveLinesAreIgnored() {
            assertThat(decode(": keep-alive\n\n:\n\ndata: a\n: between\ndata: b\n\n: OPENROUTER PROCESSING\n\n"))
                    .containsExactly(SseEvent.ofData("a\nb"));
        }

        @Test
        void commentOnlyStreamYieldsNothingAndBuffersNothing() {
            SseDecoder decoder = new SseDecoder();
            for (int i = 0; i < 1000; i++) {
                assertThat(decoder.feed(utf8(": ping\n\n"))).isEmpty();
            }
            assertThat(decoder.bufferedBytes()).isZero();
            assertThat(decoder.hasIncompleteEvent()).isFalse();
        }
    }

    @Nested
    class Dispatch {

        @Test
        void eventWithoutDataIsNotDispatched() {
            assertThat(decode("event: ping\n\n")).isEmpty();
            assertThat(decode("id: 7\n\n")).isEmpty();
            assertThat(decode("\n\n\n")).isEmpty();
        }

        @Test
        void eventTypeOfAnUndispatchedEventDoesNotLeakIntoTheNext() {
            assertThat(decode("event: ping\n\ndata: x\n\n")).containsExactly(SseEvent.ofData("x"));
        }

        @Test
        void consecutiveBlankLinesDispatchOnce() {
            assertThat(decode("data: x\n\n\n\n\ndata: y\n\n"))
                    .containsExactly(SseEvent.ofData("x"), SseEvent.ofData("y"));
        }

        @Test
        void doneSentinelIsDetected() {
            List<SseEvent> events = decode("data: {\"x\":1}\n\ndata: [DONE]\n\n");
            assertThat(events).extracting(SseEvent::isDone).containsExactly(false, true);
            assertThat(decode("data:[DONE]\n\n").getFirst().isDone()).isTrue();
            assertThat(decode("data: [DONE] \n\n").getFirst().isDone()).isFalse();
            assertThat(decode("data: [done]\n\n").getFirst().isDone()).isFalse();
            assertThat(decode("data: [DONE]\ndata: x\n\n").getFirst().isDone()).isFalse();
        }

        @Test
        void severalEventsInOneChunkAreReturnedInOrder() {
            SseDecoder decoder = new SseDecoder();
            assertThat(decoder.feed(utf8("event: a\ndata: 1\n\nevent: b\ndata: 2\n\ndata: 3")))
                    .containsExactly(SseEvent.of("a", "1"), SseEvent.of("b", "2"));
            assertThat(decoder.feed(utf8("\n\n"))).containsExactly(SseEvent.ofData("3"));
        }
    }

    @Nested
    class LastEventId {

        @Test
        void idAppliesToItsEventAndPersistsUntilChanged() {
            assertThat(decode("data: a\n\nid: 1\ndata: b\n\ndata: c\n\nid: 2\ndata: d\n\nid\ndata: e\n\n"))
                    .containsExactly(
                            new SseEvent(null, "a", null),
                            new SseEvent(null, "b", "1"),
                            new SseEvent(null, "c", "1"),
                            new SseEvent(null, "d", "2"),
                            new SseEvent(null, "e", null));
        }

        @Test
        void idSetInAnUndispatchedEventStillApplies() {
            assertThat(decode("id: 5\n\ndata: x\n\n")).containsExactly(new SseEvent(null, "x", "5"));
        }

        @Test
        void idContainingNullIsIgnored() {
            assertThat(decode("id: 1\n\nid: a\u0000b\ndata: x\n\n")).containsExactly(new SseEvent(null, "x", "1"));
        }
    }

    @Nested
    class LineEndings {

        @Test
        void crlfLfAndCrAreAllLineEndings() {
            List<SseEvent> expected = List.of(SseEvent.of("e", "a\nb"), SseEvent.ofData("c"));
            assertThat(decode("event: e\r\ndata: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n")).isEqualTo(expected);
            assertThat(decode("event: e\rdata: a\rdata: b\r\rdata: c\r\r")).isEqualTo(expected);
            assertThat(decode("event: e\ndata: a\r\ndata: b\r\r\ndata: c\n\r")).isEqualTo(expected);
        }

        @Test
        void crAtEndOfChunkThenLfAtStartOfNextIsOneLineBreak() {
            // if the CR and LF counted as two line breaks, "a" would be dispatched alone
            assertThat(decodeChunks("data: a\r", "\ndata: b\r", "\n\r", "\n"))
                    .containsExactly(SseEvent.ofData("a\nb"));
        }

        @Test
        void crLfSplitAcrossChunksDispatchesOnlyOnce() {
            SseDecoder decoder = new SseDecoder();
            assertThat(decoder.feed(utf8("data: x\r\n\r"))).containsExactly(SseEvent.ofData("x"));
            assertThat(decoder.feed(utf8("\n"))).isEmpty();
            assertThat(decoder.feed(utf8("data: y\r\n\r"))).containsExactly(SseEvent.ofData("y"));
            assertThat(decoder.hasIncompleteEvent()).isFalse();
        }

        @Test
        void pendingCrSurvivesEmptyChunks() {
            assertThat(decodeChunks("data: a\r", "", "", "\ndata: b\n", "", "\n"))
                    .containsExactly(SseEvent.ofData("a\nb"));
        }

        @Test
        void crAtEndOfChunkFollowedByAnotherLine() {
            assertThat(decodeChunks("data: a\r", "data: b\r", "\r"))
                    .containsExactly(SseEvent.ofData("a\nb"));
        }

        @Test
        void twoCrsAcrossChunksAreABlankLine() {
            SseDecoder decoder = new SseDecoder();
            assertThat(decoder.feed(utf8("data: a\r"))).isEmpty();
            assertThat(decoder.feed(utf8("\r"))).containsExactly(SseEvent.ofData("a"));
        }
    }

    @Nested
    class Utf8 {

        @ParameterizedTest
        @ValueSource(strings = {"é", "€", "😀", "Ça va ? 😀 👍🏽", "日本語"})
        void multiByteCharactersSplitAtEveryByteAreDecoded(String text) {
            byte[] bytes = utf8("event: délta " + text + "\ndata: {\"text\":\"" + text + "\"}\n\n");
            List<SseEvent> expected = List.of(SseEvent.of("délta " + text, "{\"text\":\"" + text + "\"}"));
            for (int cut = 0; cut <= bytes.length; cut++) {
                assertThat(decodeChunks(Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length)))
                        .as("cut at %d", cut)
                        .isEqualTo(expected);
            }
            byte[][] single = new byte[bytes.length][];
            for (int i = 0; i < bytes.length; i++) {
                single[i] = new byte[] {bytes[i]};
            }
            assertThat(decodeChunks(single)).isEqualTo(expected);
        }

        @Test
        void emojiSplitInsideItsFourBytes() {
            byte[] emoji = utf8("😀");
            assertThat(emoji).hasSize(4);
            for (int cut = 1; cut < 4; cut++) {
                assertThat(decodeChunks(
                        concat(utf8("data: "), Arrays.copyOfRange(emoji, 0, cut)),
                        concat(Arrays.copyOfRange(emoji, cut, 4), utf8("\n\n"))))
                        .containsExactly(SseEvent.ofData("😀"));
            }
        }

        @Test
        void malformedBytesDecodeToReplacementCharacter() {
            byte[] bytes = concat(utf8("data: a"), new byte[] {(byte) 0xC3}, utf8("b\n\n"));
            assertThat(decodeChunks(bytes)).containsExactly(SseEvent.ofData("a\uFFFDb"));
        }

        @Test
        void leadingByteOrderMarkIsSkippedEvenWhenSplit() {
            byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
            byte[] stream = concat(bom, utf8("data: x\n\n"));
            assertThat(decodeChunks(stream)).containsExactly(SseEvent.ofData("x"));
            for (int cut = 0; cut <= 4; cut++) {
                assertThat(decodeChunks(Arrays.copyOfRange(stream, 0, cut), Arrays.copyOfRange(stream, cut, stream.length)))
                        .as("cut at %d", cut)
                        .containsExactly(SseEvent.ofData("x"));
            }
        }

        @Test
        void onlyOneLeadingByteOrderMarkIsSkipped() {
            byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
            // a second BOM becomes part of the field name "\uFEFFdata", an unknown field
            assertThat(decodeChunks(concat(bom, bom, utf8("data: x\n\n")))).isEmpty();
            // a BOM later in the stream is not skipped either
            assertThat(decodeChunks(concat(utf8("data: a\n\n"), bom, utf8("data: x\n\n"))))
                    .containsExactly(SseEvent.ofData("a"));
        }
    }

    @Nested
    class EndOfStream {

        @Test
        void incompleteEventAtEofIsDiscardedPerSpec() {
            SseDecoder decoder = new SseDecoder();
            assertThat(decoder.feed(utf8("data: complete\n\ndata: [DONE]\n"))).containsExactly(SseEvent.ofData("complete"));
            assertThat(decoder.hasIncompleteEvent()).isTrue();
            assertThat(decoder.finish()).isEmpty();
        }

        @Test
        void unterminatedLastLineIsDiscarded() {
            assertThat(decode("data: x")).isEmpty();
            assertThat(decode("data: x\n\ndata: y")).containsExactly(SseEvent.ofData("x"));
            assertThat(decode("data: x\r")).isEmpty();
        }

        @Test
        void eventTerminatedByCrAtEofIsComplete() {
            // CR CR is a blank line even though no LF can follow any more
            assertThat(decode("data: x\r\r")).containsExactly(SseEvent.ofData("x"));
        }

        @Test
        void hasIncompleteEventReflectsPendingState() {
            SseDecoder decoder = new SseDecoder();
            assertThat(decoder.hasIncompleteEvent()).isFalse();
            decoder.feed(utf8("eve"));
            assertThat(decoder.hasIncompleteEvent()).isTrue();
            decoder.feed(utf8("nt: x\n"));
            assertThat(decoder.hasIncompleteEvent()).isTrue();
            decoder.feed(utf8("\n"));
            assertThat(decoder.hasIncompleteEvent()).isFalse();
        }

        @Test
        void finishIsIdempotentAndFeedAfterFinishFails() {
            SseDecoder decoder = new SseDecoder();
            decoder.feed(utf8("data: x\n"));
            assertThat(decoder.finish()).isEmpty();
            assertThat(decoder.finish()).isEmpty();
            assertThat(decoder.bufferedBytes()).isZero();
            assertThatThrownBy(() -> decoder.feed(utf8("\n"))).isInstanceOf(IllegalStateException.class);
        }
    }

    @Nested
    class Buffering {

        @Test
        void bufferedBytesCountsTheIncompleteLineOnly() {
            SseDecoder decoder = new SseDecoder();
            decoder.feed(utf8("data: abc"));
            assertThat(decoder.bufferedBytes()).isEqualTo(9);
            decoder.feed(utf8("é"));
            assertThat(decoder.bufferedBytes()).isEqualTo(11);
            decoder.feed(utf8("\n"));
            assertThat(decoder.bufferedBytes()).isZero();
            decoder.feed(utf8("data: x\n\ndata: partial"));
            assertThat(decoder.bufferedBytes()).isEqualTo("data: partial".length());
        }

        @Test
        void offsetAndLengthAreHonoured() {
            byte[] bytes = utf8("XXXdata: a\n\nYYY");
            SseDecoder decoder = new SseDecoder();
            assertThat(decoder.feed(bytes, 3, bytes.length - 6)).containsExactly(SseEvent.ofData("a"));
            assertThat(decoder.bufferedBytes()).isZero();
            assertThatThrownBy(() -> decoder.feed(bytes, 10, 10)).isInstanceOf(IndexOutOfBoundsException.class);
        }

        @Test
        void longLineBeyondLimitFails() {
            SseDecoder decoder = new SseDecoder(16);
            decoder.feed(utf8("data: 0123456789"));
            assertThatThrownBy(() -> decoder.feed(utf8("x"))).isInstanceOf(StreamFramingException.class);
        }

        @Test
        void eventDataBeyondLimitFails() {
            SseDecoder decoder = new SseDecoder(16);
            decoder.feed(utf8("data: 01234\ndata: 56789\n"));
            assertThatThrownBy(() -> decoder.feed(utf8("data: abcdef\n"))).isInstanceOf(StreamFramingException.class);
        }

        @Test
        void longLinesWithinLimitAcrossManyChunks() {
            String big = "x".repeat(200_000);
            byte[] bytes = utf8("data: " + big + "\n\n");
            SseDecoder decoder = new SseDecoder();
            List<SseEvent> out = new ArrayList<>();
            for (int i = 0; i < bytes.length; i += 1000) {
                out.addAll(decoder.feed(bytes, i, Math.min(1000, bytes.length - i)));
            }
            assertThat(out).containsExactly(SseEvent.ofData(big));
            assertThat(decoder.bufferedBytes()).isZero();
        }
    }

    @Test
    void sseEventRejectsNullData() {
        assertThatThrownBy(() -> new SseEvent("x", null, null)).isInstanceOf(NullPointerException.class);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
