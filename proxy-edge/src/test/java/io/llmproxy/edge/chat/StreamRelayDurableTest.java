package io.llmproxy.edge.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.api.openai.OpenAiChatCodec;
import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.ProviderAdapter;
import io.llmproxy.edge.usage.UsagePublisher;
import io.llmproxy.edge.usage.UsagePublishers;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link StreamRelay} with durable answers (issue #14/#16): the end of a stream ({@code [DONE]}) or its
 * error ending leaves only once the call's usage event is synced to the journal, and leaves all the same
 * when the journal rejects the event (full buffer). A real journal and producer (Kafka unreachable, so
 * the journal keeps what it gets; linger 10 minutes, so nothing here waits for it), the real OpenAI
 * codec and translator; the 30 s bounds only keep a broken build from hanging.
 */
class StreamRelayDurableTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String CONTENT = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n";
    static final String USAGE = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}\n\n";
    static final String DONE = "data: [DONE]\n\n";

    @TempDir
    Path dir;
    @RegisterExtension
    final UsagePublishers publishers = new UsagePublishers();

    UsagePublisher publisher(long maxBytes) throws Exception {
        return publishers.open(dir, maxBytes, Duration.ofMinutes(10), true, Duration.ZERO);
    }

    static ChatTranslator openAiTranslator() throws Exception {
        var constructor = Class.forName("io.llmproxy.edge.provider.openai.OpenAiProviderAdapter").getDeclaredConstructors()[0];
        constructor.setAccessible(true);
        return ((ProviderAdapter) constructor.newInstance(JSON)).chatTranslator(true, true);
    }

    /** One relayed call: each client piece as text, with the journal's size when it left. */
    record Relayed(Call call, List<String> pieces, List<Integer> journaledWhenSent) {
    }

    Relayed relay(UsagePublisher publisher, String... upstream) throws Exception {
        Call call = new Call("chat.completions", publisher);
        call.request("m", true);
        ChatTranslator translator = openAiTranslator();
        call.upstream("p1", "sim-m", translator);
        call.accepted();
        List<Integer> journaled = new ArrayList<>();
        List<String> pieces = StreamRelay.relay(call, new OpenAiChatCodec(JSON), translator,
                        Flux.fromArray(upstream).map(s -> s.getBytes(StandardCharsets.UTF_8)), "sim", false)
                .map(b -> new String(b, StandardCharsets.UTF_8))
                .doOnNext(piece -> journaled.add(journaledIds(publisher).size()))
                .collectList().block(Duration.ofSeconds(30));
        return new Relayed(call, pieces, journaled);
    }

    static List<String> journaledIds(UsagePublisher publisher) {
        try {
            return UsagePublishers.journaledIds(publisher);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theStreamsEndLeavesOnceItsUsageEventIsSynced() throws Exception {
        UsagePublisher publisher = publisher(1 << 20);

        Relayed relayed = relay(publisher, CONTENT, USAGE, DONE);

        assertThat(relayed.pieces()).containsExactly(CONTENT, USAGE, DONE);
        // the content and usage chunks left before the call ended; [DONE] only once the event was in the journal
        assertThat(relayed.journaledWhenSent()).containsExactly(0, 0, 1);
        List<UsageRecorded> events = UsagePublishers.journaled(publisher);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(events.get(0).httpStatus()).isEqualTo(200);
        assertThat(events.get(0).promptTokens()).isEqualTo(3);
        assertThat(events.get(0).completionTokens()).isEqualTo(1);
    }

    @Test
    void anErrorEndingLeavesOnceItsUsageEventIsSynced() throws Exception {
        UsagePublisher publisher = publisher(1 << 20);

        Relayed relayed = relay(publisher, CONTENT);

        assertThat(relayed.pieces()).hasSize(2);
        assertThat(relayed.pieces().get(0)).isEqualTo(CONTENT);
        assertThat(relayed.pieces().get(1)).contains("sim ended the stream before it was complete");
        assertThat(relayed.journaledWhenSent()).containsExactly(0, 1);
        UsageRecorded event = UsagePublishers.journaled(publisher).get(0);
        assertThat(event.outcome()).isEqualTo(Outcome.UPSTREAM_ERROR);
        assertThat(event.httpStatus()).isEqualTo(502);
    }

    @Test
    void aRejectedEventDoesNotHoldTheStreamsEnd() throws Exception {
        // 20 bytes: no event fits, each is rejected (counted, logged at ERROR with its JSON)
        UsagePublisher publisher = publisher(20);

        Relayed relayed = relay(publisher, CONTENT, USAGE, DONE);

        assertThat(relayed.pieces()).containsExactly(CONTENT, USAGE, DONE);
        assertThat(publishers.meters.get("llmproxy.usage.buffer.rejected").counter().count()).isEqualTo(1.0);
        assertThat(UsagePublishers.journaledIds(publisher)).isEmpty();
    }
}
