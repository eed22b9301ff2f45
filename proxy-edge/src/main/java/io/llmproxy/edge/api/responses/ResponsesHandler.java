package io.llmproxy.edge.api.responses;

import io.llmproxy.edge.api.openai.OpenAiErrors;
import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.chat.ChatPipeline;
import io.llmproxy.edge.gateway.GatewayError;
import io.llmproxy.edge.gateway.GatewayResponses;
import io.llmproxy.edge.usage.UsagePublisher;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAI Responses API of the edge (https://platform.openai.com/docs/api-reference/responses):
 * <ul>
 *   <li>{@code POST /v1/responses}: the {@link ChatPipeline} with the {@link ResponsesCodec} and its
 *       {@link ResponsesConversation} hook (usage events with endpoint {@code responses});</li>
 *   <li>{@code GET /v1/responses/{id}}: the stored response object of the caller's tenant;</li>
 *   <li>{@code DELETE /v1/responses/{id}}: {@code {"id","object":"response.deleted","deleted":true}}.</li>
 * </ul>
 * Errors are OpenAI error JSON; an id that is unknown, expired, deleted, not stored
 * ({@code store:false}) or another tenant's is 404 alike (never 403: existence is not revealed);
 * Redis unreachable is 503. GET and DELETE authenticate as the chat calls do (401/403/503) and
 * publish a usage event only when refused.
 */
@Component
class ResponsesHandler {

    private final ChatPipeline pipeline;
    private final ResponsesStore store;
    private final ApiKeyAuthenticator authenticator;
    private final UsagePublisher usage;
    private final JsonMapper json;

    ResponsesHandler(ChatPipeline pipeline, ResponsesStore store, ApiKeyAuthenticator authenticator, UsagePublisher usage,
                     JsonMapper json) {
        this.pipeline = pipeline;
        this.store = store;
        this.authenticator = authenticator;
        this.usage = usage;
        this.json = json;
    }

    Mono<io.llmproxy.edge.http.EdgeResponse> create(io.llmproxy.edge.http.EdgeRequest request) {
        ResponsesCodec codec = new ResponsesCodec(json);
        return pipeline.handle(request, codec, new ResponsesConversation(codec, store));
    }

    Mono<ServerResponse> get(ServerRequest request) {
        return authenticated(request, (tenant, id) -> store.load(tenant, id)
                .flatMap(stored -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(json.writeValueAsBytes(stored.response())))
                .switchIfEmpty(Mono.defer(() -> notFound(id))));
    }

    Mono<ServerResponse> delete(ServerRequest request) {
        return authenticated(request, (tenant, id) -> store.delete(tenant, id).flatMap(deleted -> {
            if (!deleted) {
                return notFound(id);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            body.put("object", "response.deleted");
            body.put("deleted", true);
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        }));
    }

    private Mono<ServerResponse> authenticated(ServerRequest request,
                                               java.util.function.BiFunction<String, String, Mono<ServerResponse>> then) {
        ResponsesCodec codec = new ResponsesCodec(json);
        ApiKeyAuthenticator.Result auth = authenticator.authenticate(request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
        if (auth.status() != ApiKeyAuthenticator.Status.OK) {
            Call call = new Call(ResponsesCodec.ENDPOINT, usage);
            call.key(auth.key());
            return GatewayResponses.refuse(call, codec, GatewayError.authentication(auth.status(), codec.missingKeyMessage()))
                    .flatMap(io.llmproxy.edge.http.SpringFrame::response);
        }
        return then.apply(auth.key().tenantId(), request.pathVariable("id"))
                .onErrorResume(e -> ServerResponse.status(503).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(OpenAiErrors.body("Stored responses are unavailable right now; retry later.",
                                "server_error", null, "response_store_unavailable")));
    }

    private Mono<ServerResponse> notFound(String id) {
        return ServerResponse.status(404).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(OpenAiErrors.body("Response with id '" + id + "' not found.", "invalid_request_error", null, null));
    }
}
