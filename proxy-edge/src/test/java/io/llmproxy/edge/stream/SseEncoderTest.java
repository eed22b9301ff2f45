package io.llmproxy.edge.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEncoderTest {

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static List<SseEvent> decode(byte[] bytes) {
        SseDecoder decoder = new SseDecoder();
        List<SseEvent> events = decoder.feed(bytes);
        assertThat(decoder.hasIncompleteEvent()).isFalse();
        return events;
    }

    @Test
    void dataFrame() {
        assertThat(text(SseEncoder.data("{\"a\":1}"))).isEqualTo("data: {\"a\":1}\n\n");
        assertThat(SseEncoder.data("{\"t\":\"é😀\"}")).isEqualTo("data: {\"t\":\"é😀\"}\n\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void doneFrame() {
        assertThat(text(SseEncoder.done())).isEqualTo("data: [DONE]\n\n");
        SseEncoder.done()[0] = 'X'; // callers get a copy
        assertThat(text(SseEncoder.done())).isEqualTo("data: [DONE]\n\n");
        assertThat(decode(SseEncoder.done())).singleElement().matches(SseEvent::isDone);
    }

    @Test
    void eventFrame() {
        assertThat(text(SseEncoder.event("message_stop", "{\"type\":\"message_stop\"}")))
                .isEqualTo("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    }

    @Test
    void commentFrame() {
        assertThat(text(SseEncoder.comment("keep-alive"))).isEqualTo(": keep-alive\n\n");
        assertThat(decode(SseEncoder.comment("keep-alive"))).isEmpty();
    }

    @Test
    void multiLineDataBecomesSeveralDataLines() {
        assertThat(text(SseEncoder.data("a\nb"))).isEqualTo("data: a\ndata: b\n\n");
        assertThat(text(SseEncoder.data("a\r\nb\rc\n"))).isEqualTo("data: a\ndata: b\ndata: c\ndata: \n\n");
        assertThat(text(SseEncoder.event("x", "1\n2"))).isEqualTo("event: x\ndata: 1\ndata: 2\n\n");
    }

    @Test
    void encodedFramesRoundTripThroughTheDecoder() {
        for (String value : List.of("{\"a\":1}", "", " leading space", "a\nb", "a\n\nb", "trailing\n", "é 😀", "x:y")) {
            assertThat(decode(SseEncoder.data(value))).as("data %s", value).containsExactly(SseEvent.ofData(value));
            assertThat(decode(SseEncoder.event("ev", value))).as("event %s", value).containsExactly(SseEvent.of("ev", value));
        }
        // CR and CRLF inside data come back as LF
        assertThat(decode(SseEncoder.data("a\r\nb\rc"))).containsExactly(SseEvent.ofData("a\nb\nc"));
    }

    @Test
    void lineBreaksInEventNameOrCommentAreRejected() {
        assertThatThrownBy(() -> SseEncoder.event("a\nb", "{}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SseEncoder.event("a\rb", "{}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SseEncoder.comment("a\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SseEncoder.data(null)).isInstanceOf(NullPointerException.class);
    }
}
