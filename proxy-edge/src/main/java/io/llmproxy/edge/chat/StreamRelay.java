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
 * Ends the call: 200 {@code SUCCESS} after the translator's last piece; an upstream that stops early
 * (502 {@code upstream_stream_ended}), reports an error in the stream (the translator's failure), times
 * out (504) or breaks gets the codec's {@link ClientCodec#streamError} ending instead, and the usage
 * event says so ({@code UPSTREAM_ERROR}); a client that goes away finishes it as 499 {@code CANCELLED}.
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
        Flux<byte[]> events = upstreamBody.concatMapIterable(chunk -> {
            List<byte[]> out = new ArrayList<>(2);
            for (SseEvent event : decoder.apply(chunk)) {
                if (done[0]) {
                    break;
                }
                Translated translated = translator.streamEvent(event);
                if (translated.error() != null) {
                    throw GatewayError.upstream(translated.error(), providerName).exception();
                }
                if (completion != null) {
                    completion.feed(translated.bytes());
                }
                byte[] bytes = codec.streamChunk(translated);
                if (bytes.length > 0) {
                    call.firstChunk();
                    out.add(bytes);
                }
                done[0] |= translated.done();
            }
            return out;
        });
        return events
                .concatWith(Flux.defer(() -> done[0] ? Flux.empty() : Flux.error(GatewayError.upstreamUnusable(
                        "upstream_stream_ended", providerName + " ended the stream before it was complete", providerName)
                        .exception())))
                .onErrorResume(e -> {
                    GatewayError error = e instanceof GatewayException g ? g.error()
                            : AttemptLoop.isTransport(e) ? AttemptLoop.transportError(e, providerName)
                            : GatewayError.upstreamUnusable("upstream_error", providerName + " stream failed", providerName);
                    call.finish(error.status(), Outcome.UPSTREAM_ERROR);
                    return Mono.just(codec.streamError(error));
                })
                .doOnComplete(() -> call.finish(200, Outcome.SUCCESS))
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
