package io.llmproxy.edge.api.anthropic;

import static org.springframework.web.reactive.function.server.RequestPredicates.path;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import io.llmproxy.edge.chat.ChatPipeline;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Anthropic-format client API of the edge: {@code POST /v1/messages}. Ordered before the
 * OpenAI routes, whose {@code /v1/**} catch-all would otherwise answer it with 404.
 */
@Configuration
class AnthropicRoutes {

    @Bean
    @Order(0)
    io.llmproxy.edge.http.GatewayEndpoint messagesEndpoint(ChatPipeline pipeline, JsonMapper json) {
        return new io.llmproxy.edge.http.GatewayEndpoint("/v1/messages", request -> pipeline.handle(request, new AnthropicMessagesCodec(json)));
    }

    @Bean
    @Order(0)
    RouterFunction<ServerResponse> anthropicApi(io.llmproxy.edge.http.GatewayEndpoint messagesEndpoint) {
        return messagesEndpoint.route()
                // other methods and sub-paths (e.g. count_tokens) answer in Anthropic's error format
                .andRoute(path("/v1/messages").or(path("/v1/messages/**")), request -> ServerResponse.status(404)
                        .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                        .bodyValue(java.util.Map.of("type", "error", "error", java.util.Map.of("type", "not_found_error",
                                "message", "Unknown request: " + request.method() + " " + request.path()
                                        + ". This gateway serves POST /v1/messages."))));
    }
}
