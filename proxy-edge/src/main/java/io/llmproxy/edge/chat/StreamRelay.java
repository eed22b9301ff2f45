package io.llmproxy.edge.chat;

import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.call.ContentCapture;
import io.llmproxy.edge.gateway.AttemptLoop;
import io.llmproxy.edge.gateway.GatewayError;
import io.llmproxy.edge.gateway.GatewayException;
import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.StreamFraming;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.stream.NdjsonDecoder;
import io.llmproxy.edge.stream.SseDecoder;
import io.llmproxy.edge.stream.SseEvent;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Relays an accepted upstream stream to the client, one upstream event at a time (provider →
 * canonical by the translator, canonical → client by the codec), never buffering the whole stream.
 * Ends the call: 200 {@code SUCCESS} at the translator's last piece, whose client bytes (the end of the
 * stream) leave once the usage event is durable ({@link Call#synced()}, ADR 0006); an upstream that stops early
 * (502 {@code upstream_stream_ended}), reports an error in the stream (the translator's failure), times
 * out (504) or breaks before its last piece gets the codec's {@link ClientCodec#streamError} ending instead
 * (after its usage event is durable), and the usage event says so ({@code UPSTREAM_ERROR}); an upstream that
 * breaks after its last piece changes nothing; a client that goes away finishes it as 499 {@code CANCELLED}.
 */
final class StreamRelay {

    private StreamRelay() {
    }

    /**
     * @param upstreamBody the 2xx upstream body
     * @param providerName the provider's configured name (for error messages)
     * @param capture      whether the tenant opted in to content capture (then the completion text is kept)
     * @return the client's stream bytes
     */
    static Flux<byte[]> relay(Call call, ClientCodec codec, ChatTranslator translator, Flux<byte[]> upstreamBody,
                              String providerName, boolean capture) {
        Function<byte[], List<SseEvent>> decoder = decoder(translator.framing());
        // the canonical chunks' content deltas, parsed only for a tenant that opted in to content capture
        ContentCapture.StreamText completion = capture ? new ContentCapture.StreamText() : null;
        if (completion != null) {
            call.completionText(completion::text);
        }
        boolean[] done = {false};
        Throwable[] broken = {null};
        // an upstream failure waits behind the chunks already received (and an end held for its usage event):
        // it is handled after them, once it is known whether the stream had ended
        Flux<byte[]> received = upstreamBody.onErrorResume(e -> {
            broken[0] = e;
            return Mono.empty();
        });
        Flux<byte[]> events = received.concatMap(chunk -> {
            List<byte[]> out = new ArrayList<>(2);
            byte[] end = null;
            for (SseEvent event : decoder.apply(chunk)) {
                if (done[0]) {
                    break;
                }
                Translated translated = translator.streamEvent(event);
                if (translated.error() != null) {
                    return Flux.fromIterable(out).concatWith(Mono.error(
                            GatewayError.upstream(translated.error(), providerName).exception()));
                }
                if (completion != null) {
                    completion.feed(translated.bytes());
                }
                byte[] bytes = codec.streamChunk(translated);
                if (bytes.length > 0) {
                    call.firstChunk();
                }
                if (translated.done()) {
                    done[0] = true;
                    end = bytes;
                } else if (bytes.length > 0) {
                    out.add(bytes);
                }
            }
            if (end == null) {
                // scalars (none or one piece, the usual) take concatMap's fast path
                return out.isEmpty() ? Mono.<byte[]>empty() : out.size() == 1 ? Mono.just(out.get(0)) : Flux.fromIterable(out);
            }
            // the provider's last piece: the usage is known, the call ends; what the client gets of the end
            // ([DONE], message_stop, "done":true, response.completed) waits until its usage event is durable
            call.finish(200, Outcome.SUCCESS);
            Mono<byte[]> last = end.length == 0 ? call.synced().then(Mono.empty()) : call.synced().thenReturn(end);
            return out.isEmpty() ? last : Flux.fromIterable(out).concatWith(last);
        });
        return events
                .concatWith(Flux.defer(() -> done[0] ? Flux.empty() : Flux.error(broken[0] != null ? broken[0]
                        : GatewayError.upstreamUnusable("upstream_stream_ended", providerName
                                + " ended the stream before it was complete", providerName).exception())))
                .onErrorResume(e -> {
                    GatewayError error = e instanceof GatewayException g ? g.error()
                            : AttemptLoop.isTransport(e) ? AttemptLoop.transportError(e, providerName)
                            : GatewayError.upstreamUnusable("upstream_error", providerName + " stream failed", providerName);
                    call.finish(error.status(), Outcome.UPSTREAM_ERROR);
                    // the error ending, too, leaves once the usage event is durable
                    return call.synced().thenReturn(codec.streamError(error));
                })
                .doOnCancel(() -> call.finish(499, Outcome.CANCELLED));
    }

    /** @return a stateful decoder of one upstream body: bytes in, whole events out */
    private static Function<byte[], List<SseEvent>> decoder(StreamFraming framing) {
        if (framing == StreamFraming.NDJSON) {
            NdjsonDecoder lines = new NdjsonDecoder();
            return chunk -> {
                List<String> decoded = lines.feed(chunk);
                List<SseEvent> events = new ArrayList<>(decoded.size());
                for (String line : decoded) {
                    events.add(SseEvent.ofData(line));
                }
                return events;
            };
        }
        SseDecoder sse = new SseDecoder();
        return sse::feed;
    }
}
