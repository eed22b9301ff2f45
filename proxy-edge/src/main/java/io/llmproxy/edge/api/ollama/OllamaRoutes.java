package io.llmproxy.edge.api.ollama;

import static org.springframework.web.reactive.function.server.RequestPredicates.path;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import io.llmproxy.edge.chat.ChatPipeline;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Ollama-format client API of the edge (https://github.com/ollama/ollama/blob/main/docs/api.md):
 * {@code POST /api/chat}, {@code POST /api/generate} (through the chat pipeline with
 * {@link OllamaChatCodec}), {@code GET /api/tags}, {@code POST /api/show}, {@code GET /api/version}.
 * The key is sent as {@code Authorization: Bearer <key>} (Ollama itself has no keys).
 */
@Configuration
class OllamaRoutes {

    @Bean
    @Order(0)
    io.llmproxy.edge.http.GatewayEndpoint ollamaChatEndpoint(ChatPipeline pipeline, JsonMapper json, Clock clock) {
        return new io.llmproxy.edge.http.GatewayEndpoint("/api/chat",
                request -> pipeline.handle(request, new OllamaChatCodec(json, OllamaChatCodec.Api.CHAT, clock)));
    }

    @Bean
    io.llmproxy.edge.http.GatewayEndpoint ollamaGenerateEndpoint(ChatPipeline pipeline, JsonMapper json, Clock clock) {
        return new io.llmproxy.edge.http.GatewayEndpoint("/api/generate",
                request -> pipeline.handle(request, new OllamaChatCodec(json, OllamaChatCodec.Api.GENERATE, clock)));
    }

    @Bean
    @Order(0)
    RouterFunction<ServerResponse> ollamaApi(io.llmproxy.edge.http.GatewayEndpoint ollamaChatEndpoint,
                                             io.llmproxy.edge.http.GatewayEndpoint ollamaGenerateEndpoint, OllamaModelsHandler models) {
        return ollamaChatEndpoint.route()
                .and(ollamaGenerateEndpoint.route())
                .andRoute(GET("/api/tags"), models::tags)
                .andRoute(POST("/api/show"), models::show)
                .andRoute(GET("/api/version"), models::version)
                // anything else under /api answers in Ollama's error format (/api/embed has its own routes, ordered first)
                .andRoute(path("/api/**").and(request -> !request.path().equals("/api/embed")), request -> ServerResponse.status(404)
                        .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                        .bodyValue(java.util.Map.of("error", "unknown request " + request.method() + " " + request.path()
                                + "; this gateway serves POST /api/chat, /api/generate, /api/embed, /api/show and GET /api/tags, /api/version")));
    }
}
