package io.llmproxy.edge.api.ollama;

import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.gateway.GatewayError;
import io.llmproxy.edge.gateway.GatewayResponses;
import io.llmproxy.edge.http.JsonBody;
import io.llmproxy.edge.http.RequestBodyException;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import io.llmproxy.edge.usage.UsagePublisher;
import io.llmproxy.kernel.apikey.ApiKeys;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Ollama's model endpoints (https://github.com/ollama/ollama/blob/main/docs/api.md) over the
 * routes the key may call (global and its tenant's, narrowed by its allow-list):
 * <ul>
 *   <li>{@code GET /api/tags} → {@code {"models":[{"name","model","modified_at","size":0,"digest",
 *       "details":{"parent_model":"","format":"","family":"","families":null,"parameter_size":"",
 *       "quantization_level":""}}]}}, {@code name} = the public model name, {@code modified_at} = when
 *       the route was last defined, {@code digest} = SHA-256 hex of the name (the gateway has no
 *       weights);</li>
 *   <li>{@code POST /api/show} {@code {"model"}} → {@code {"modelfile":"","parameters":"","template":"",
 *       "details":{…},"model_info":{},"capabilities":["completion","tools"],"modified_at"}}; 404
 *       {@code {"error":"model 'x' not found"}} for a model the key cannot call;</li>
 *   <li>{@code GET /api/version} → {@code {"version":"0.12.0"}}, the Ollama API version emulated (no key needed).</li>
 * </ul>
 * A missing or unknown key gets 401 {@code {"error":"…"}} (and a usage event, as every refused call).
 */
@Component
class OllamaModelsHandler {

    /** The Ollama API version whose shapes this gateway serves. */
    static final String VERSION = "0.12.0";

    private final ApiKeyAuthenticator authenticator;
    private final UsagePublisher usage;
    private final JsonMapper json;
    private final Clock clock;

    OllamaModelsHandler(ApiKeyAuthenticator authenticator, UsagePublisher usage, JsonMapper json, Clock clock) {
        this.authenticator = authenticator;
        this.usage = usage;
        this.json = json;
        this.clock = clock;
    }

    Mono<ServerResponse> version(ServerRequest request) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json.createObjectNode().put("version", VERSION));
    }

    Mono<ServerResponse> tags(ServerRequest request) {
        ApiKeyAuthenticator.Result auth = authenticator.authenticate(request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
        if (auth.status() != ApiKeyAuthenticator.Status.OK) {
            return unauthorized("ollama.tags", auth);
        }
        ObjectNode body = json.createObjectNode();
        ArrayNode models = body.putArray("models");
        visible(auth).forEach(route -> {
            ObjectNode m = models.addObject();
            m.put("name", route.model());
            m.put("model", route.model());
            m.put("modified_at", route.updatedAt().toString());
            m.put("size", 0);
            m.put("digest", ApiKeys.hash(route.model()));
            m.set("details", details());
        });
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }

    Mono<ServerResponse> show(ServerRequest request) {
        ApiKeyAuthenticator.Result auth = authenticator.authenticate(request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
        if (auth.status() != ApiKeyAuthenticator.Status.OK) {
            return unauthorized("ollama.show", auth);
        }
        return JsonBody.read(io.llmproxy.edge.http.SpringFrame.request(request)).flatMap(bytes -> {
            String model;
            try {
                JsonNode body = json.readTree(bytes);
                model = body.path("model").asString(body.path("name").asString(""));
            } catch (JacksonException e) {
                return error(400, "invalid request body: not valid JSON");
            }
            if (model.isBlank()) {
                return error(400, "model is required");
            }
            RouteEntry route = visible(auth).filter(r -> r.model().equals(model)).findFirst().orElse(null);
            if (route == null) {
                return error(404, "model '" + model + "' not found");
            }
            ObjectNode out = json.createObjectNode();
            out.put("modelfile", "");
            out.put("parameters", "");
            out.put("template", "");
            out.set("details", details());
            out.putObject("model_info");
            out.putArray("capabilities").add("completion").add("tools");
            out.put("modified_at", route.updatedAt().toString());
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(out);
        }).onErrorResume(org.springframework.core.io.buffer.DataBufferLimitException.class,
                e -> error(413, "request body is larger than this gateway accepts"))
                .onErrorResume(RequestBodyException.class, e -> error(e.status(), e.getMessage()));
    }

    private java.util.stream.Stream<RouteEntry> visible(ApiKeyAuthenticator.Result auth) {
        List<RouteEntry> routes = auth.snapshot().visibleRoutes(auth.key().tenantId());
        return routes.stream().filter(r -> auth.key().allows(r.model())).sorted(Comparator.comparing(RouteEntry::model));
    }

    private ObjectNode details() {
        ObjectNode d = json.createObjectNode();
        d.put("parent_model", "").put("format", "").put("family", "").putNull("families");
        d.put("parameter_size", "").put("quantization_level", "");
        return d;
    }

    private Mono<ServerResponse> unauthorized(String endpoint, ApiKeyAuthenticator.Result auth) {
        Call call = new Call(endpoint, usage);
        call.key(auth.key());
        OllamaChatCodec codec = new OllamaChatCodec(json, OllamaChatCodec.Api.CHAT, clock);
        return GatewayResponses.refuse(call, codec, GatewayError.authentication(auth.status(), codec.missingKeyMessage()))
                    .flatMap(io.llmproxy.edge.http.SpringFrame::response);
    }

    private Mono<ServerResponse> error(int status, String message) {
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json.createObjectNode().put("error", message));
    }
}
