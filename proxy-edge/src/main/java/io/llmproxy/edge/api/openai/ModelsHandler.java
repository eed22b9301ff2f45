package io.llmproxy.edge.api.openai;

import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.gateway.GatewayError;
import io.llmproxy.edge.gateway.GatewayResponses;
import io.llmproxy.edge.usage.UsagePublisher;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /v1/models} (https://platform.openai.com/docs/api-reference/models/list): the public
 * model names the key may call (global routes and its tenant's own, narrowed by the key's
 * allow-list), {@code {"object":"list","data":[{"id","object":"model","created","owned_by"}]}}
 * with {@code created} in epoch seconds (when the route was last defined).
 */
@Component
class ModelsHandler {

    private final ApiKeyAuthenticator authenticator;
    private final UsagePublisher usage;
    private final JsonMapper json;

    ModelsHandler(ApiKeyAuthenticator authenticator, UsagePublisher usage, JsonMapper json) {
        this.authenticator = authenticator;
        this.usage = usage;
        this.json = json;
    }

    Mono<ServerResponse> list(ServerRequest request) {
        ApiKeyAuthenticator.Result auth = authenticator.authenticate(request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
        if (auth.status() != ApiKeyAuthenticator.Status.OK) {
            Call call = new Call("models", usage);
            call.key(auth.key());
            OpenAiChatCodec codec = new OpenAiChatCodec(json);
            return GatewayResponses.refuse(call, codec, GatewayError.authentication(auth.status(), codec.missingKeyMessage()))
                    .flatMap(io.llmproxy.edge.http.SpringFrame::response);
        }
        List<Map<String, Object>> data = auth.snapshot().visibleRoutes(auth.key().tenantId()).stream()
                .filter(r -> auth.key().allows(r.model()))
                .sorted(Comparator.comparing(r -> r.model()))
                .map(r -> Map.<String, Object>of("id", r.model(), "object", "model",
                        "created", r.updatedAt().getEpochSecond(), "owned_by", "llmproxy"))
                .toList();
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("object", "list", "data", data));
    }
}
