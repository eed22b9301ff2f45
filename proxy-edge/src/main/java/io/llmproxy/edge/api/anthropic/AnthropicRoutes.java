package io.llmproxy.edge.api.anthropic;

import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import io.llmproxy.edge.chat.ChatPipeline;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
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
    RouterFunction<ServerResponse> anthropicApi(ChatPipeline pipeline, JsonMapper json) {
        return RouterFunctions.route(POST("/v1/messages"), request -> pipeline.handle(request, new AnthropicMessagesCodec(json)));
    }
}
