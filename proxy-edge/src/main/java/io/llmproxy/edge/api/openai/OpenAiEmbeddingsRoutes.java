package io.llmproxy.edge.api.openai;

import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code POST /v1/embeddings}. Ordered first so that the catch-all 404 for {@code /v1/**} in
 * {@link OpenAiRoutes} does not answer it.
 */
@Configuration
class OpenAiEmbeddingsRoutes {

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    io.llmproxy.edge.http.GatewayEndpoint embeddingsEndpoint(EmbeddingsHandler embeddings) {
        return new io.llmproxy.edge.http.GatewayEndpoint("/v1/embeddings", embeddings::handle);
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    RouterFunction<ServerResponse> openAiEmbeddings(io.llmproxy.edge.http.GatewayEndpoint embeddingsEndpoint) {
        return embeddingsEndpoint.route();
    }
}
