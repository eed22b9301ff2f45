package io.llmproxy.edge.api.ollama;

import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** Ollama-format {@code POST /api/embed}; ordered first so that no catch-all of another router answers it. */
@Configuration
class OllamaEmbedRoutes {

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    io.llmproxy.edge.http.GatewayEndpoint ollamaEmbedEndpoint(OllamaEmbedHandler embed) {
        return new io.llmproxy.edge.http.GatewayEndpoint("/api/embed", embed::handle);
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    RouterFunction<ServerResponse> ollamaEmbed(io.llmproxy.edge.http.GatewayEndpoint ollamaEmbedEndpoint) {
        return ollamaEmbedEndpoint.route();
    }
}
