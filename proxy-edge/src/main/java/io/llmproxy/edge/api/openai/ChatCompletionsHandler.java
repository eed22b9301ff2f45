package io.llmproxy.edge.api.openai;

import io.llmproxy.edge.chat.ChatPipeline;
import org.springframework.stereotype.Component;
import io.llmproxy.edge.http.EdgeRequest;
import io.llmproxy.edge.http.EdgeResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/chat/completions} in OpenAI's format
 * (https://platform.openai.com/docs/api-reference/chat/create): the {@link ChatPipeline} with the
 * {@link OpenAiChatCodec}. Errors are OpenAI error JSON: 400 bad body, 401 missing/unknown/revoked
 * key, 404 unknown model, 413 body too large, 429/502/503/504 from the provider.
 */
@Component
class ChatCompletionsHandler {

    static final String ENDPOINT = OpenAiChatCodec.ENDPOINT;

    private final ChatPipeline pipeline;
    private final JsonMapper json;

    ChatCompletionsHandler(ChatPipeline pipeline, JsonMapper json) {
        this.pipeline = pipeline;
        this.json = json;
    }

    Mono<EdgeResponse> handle(EdgeRequest request) {
        return pipeline.handle(request, new OpenAiChatCodec(json));
    }
}
