package io.llmproxy.edge.api.responses;

import static org.springframework.web.reactive.function.server.RequestPredicates.DELETE;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code POST /v1/responses}, {@code GET} and {@code DELETE /v1/responses/{id}}. Ordered before the
 * OpenAI routes, whose {@code /v1/**} catch-all answers every other path (e.g.
 * {@code /v1/responses/{id}/input_items}, {@code /v1/responses/{id}/cancel}) with 404.
 */
@Configuration
class ResponsesRoutes {

    @Bean
    @Order(0)
    io.llmproxy.edge.http.GatewayEndpoint responsesEndpoint(ResponsesHandler responses) {
        return new io.llmproxy.edge.http.GatewayEndpoint("/v1/responses", responses::create);
    }

    @Bean
    @Order(0)
    RouterFunction<ServerResponse> responsesApi(ResponsesHandler responses, io.llmproxy.edge.http.GatewayEndpoint responsesEndpoint) {
        return responsesEndpoint.route()
                .andRoute(GET("/v1/responses/{id}"), responses::get)
                .andRoute(DELETE("/v1/responses/{id}"), responses::delete);
    }
}
