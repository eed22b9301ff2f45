package io.llmproxy.edge.provider.mistral;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.provider.GoldenCase;
import io.llmproxy.edge.provider.Translated;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.stream.SseEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Canonical ⇄ Mistral chat completions and embeddings, against golden fixtures. */
class MistralTranslatorTest {

    static final GoldenCase CHAT = new GoldenCase("mistral", "mistral/chat");

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    void goldenChat(boolean stream) {
        MistralChatTranslator translator = new MistralChatTranslator(GoldenCase.JSON, stream, true);
        UpstreamRequest request = CHAT.assertRequest(translator.request(CHAT.request(stream), CHAT.provider(), CHAT.providerModel()), stream);
        assertThat(request.headers()).containsEntry("Authorization", "Bearer " + GoldenCase.SECRET);
        if (stream) {
            CHAT.assertStream(translator);
        } else {
            CHAT.assertChatResponse(translator);
        }
    }

    @Test
    void usageOnTheLastChunkIsNotShownToAClientThatDidNotAskForIt() {
        MistralChatTranslator translator = new MistralChatTranslator(GoldenCase.JSON, true, false);
        translator.request(CHAT.request(true), CHAT.provider(), CHAT.providerModel());
        Translated last = translator.streamEvent(SseEvent.ofData("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}"));
        String sent = new String(last.bytes(), StandardCharsets.UTF_8);
        assertThat(sent).isEqualTo("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        assertThat(translator.usageSoFar().totalTokens()).isEqualTo(7);
    }

    @Test
    void goldenEmbeddings() {
        GoldenCase golden = new GoldenCase("mistral", "mistral/embeddings");
        MistralEmbeddingsTranslator translator = new MistralEmbeddingsTranslator(GoldenCase.JSON);
        golden.assertRequest(translator.request(golden.request(false), golden.provider(), golden.providerModel()), false);
        golden.assertEmbeddingsResponse(translator);
    }

    @Test
    void mistralErrorBodiesGiveTheirMessage() {
        MistralChatTranslator t = new MistralChatTranslator(GoldenCase.JSON, false, false);
        t.request(CHAT.request(false), CHAT.provider(), "m");
        UpstreamFailure flat = t.error(422, ("{\"object\":\"error\",\"message\":\"Extra inputs are not permitted: body.seed\","
                + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}").getBytes(StandardCharsets.UTF_8), null);
        assertThat(flat).isEqualTo(new UpstreamFailure(422, "invalid_request_error", "upstream_rejected",
                "golden-mistral rejected the request (HTTP 422): Extra inputs are not permitted: body.seed", null));
        UpstreamFailure detail = t.error(422, "{\"detail\":[{\"loc\":[\"body\",\"x\"],\"msg\":\"Field required\"}]}"
                .getBytes(StandardCharsets.UTF_8), null);
        assertThat(detail.message()).endsWith(": Field required");
        assertThat(t.error(503, new byte[0], "2")).isEqualTo(new UpstreamFailure(503, "server_error", "upstream_unavailable",
                "golden-mistral is unavailable (HTTP 503)", "2"));
    }
}
