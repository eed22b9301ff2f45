package io.llmproxy.edge.api.openai;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The OpenAI-format client API of the edge. */
@Configuration
class OpenAiRoutes {

    @Bean
    RouterFunction<ServerResponse> openAiApi(ChatCompletionsHandler chat, ModelsHandler models) {
        return RouterFunctions.route(POST("/v1/chat/completions"), chat::handle)
                .andRoute(GET("/v1/models"), models::list);
    }
}
