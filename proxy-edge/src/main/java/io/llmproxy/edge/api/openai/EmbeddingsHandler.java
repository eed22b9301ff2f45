package io.llmproxy.edge.api.openai;

import io.llmproxy.edge.embeddings.EmbeddingsGateway;
import io.llmproxy.edge.gateway.ErrorFormat;
import io.llmproxy.edge.http.JsonBody;
import io.llmproxy.edge.provider.UnsupportedRequestException;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import io.llmproxy.edge.http.EdgeRequest;
import io.llmproxy.edge.http.EdgeResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/embeddings} in OpenAI's format
 * (https://platform.openai.com/docs/api-reference/embeddings/create): request
 * {@code {"model","input":string|string[]|int[]|int[][],"encoding_format"?:"float"|"base64","dimensions"?}},
 * response {@code {"object":"list","data":[{"object":"embedding","index","embedding"}],"model",
 * "usage":{"prompt_tokens","total_tokens"}}}. Errors are OpenAI error JSON: 400 bad body, 401 key,
 * 403 model not allowed, 404 unknown model, 413 too large, 429 quota or provider, 502/503/504 provider.
 */
@Component
class EmbeddingsHandler {

    private final EmbeddingsGateway gateway;
    private final ErrorFormat errors;
    private final JsonMapper json;

    EmbeddingsHandler(EmbeddingsGateway gateway, JsonMapper json) {
        this.gateway = gateway;
        this.errors = OpenAiErrors.format(json);
        this.json = json;
    }

    Mono<EdgeResponse> handle(EdgeRequest request) {
        return gateway.embed(request::header, JsonBody.read(request), node -> {
            if (!(node instanceof ObjectNode object)) {
                throw new UnsupportedRequestException("The request body must be a JSON object.", null);
            }
            return object;
        }, errors, (canonical, model, headers) -> Mono.just(EdgeResponse.json(json.writeValueAsBytes(canonical)).headers(headers)));
    }
}
