package io.llmproxy.edge.api.openai;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import io.llmproxy.edge.http.GatewayEndpoint;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The OpenAI-format client API of the edge. */
@Configuration
class OpenAiRoutes {

    @Bean
    GatewayEndpoint chatCompletionsEndpoint(ChatCompletionsHandler chat) {
        return new GatewayEndpoint("/v1/chat/completions", chat::handle);
    }

    @Bean
    RouterFunction<ServerResponse> openAiApi(GatewayEndpoint chatCompletionsEndpoint, ModelsHandler models) {
        return chatCompletionsEndpoint.route()
                .andRoute(GET("/v1/models"), models::list)
                .andRoute(path("/v1/**"), request -> ServerResponse.status(404).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(OpenAiErrors.body("Unknown request URL: " + request.method() + " " + request.path()
                                + ". This gateway serves POST /v1/chat/completions, POST /v1/responses, GET and DELETE /v1/responses/{id}, "
                                + "POST /v1/embeddings, GET /v1/models and "
                                + "POST /v1/messages (Anthropic format).",
                                "invalid_request_error", null, "unknown_url")));
    }
}
