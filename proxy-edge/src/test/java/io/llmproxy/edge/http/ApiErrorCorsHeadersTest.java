package io.llmproxy.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.databind.json.JsonMapper;

/** {@link ApiErrorWebExceptionHandler} keeps the CORS headers {@link EdgeCors} set, and only those. */
class ApiErrorCorsHeadersTest {

    @Test
    void anErrorRenderedByTheHandlerKeepsTheCorsHeadersAndDropsTheOthers() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest
                .method(HttpMethod.PUT, "/v1/chat/completions").header("Origin", "http://localhost:3000"));
        exchange.getResponse().getHeaders().set("Access-Control-Allow-Origin", "http://localhost:3000");
        exchange.getResponse().getHeaders().set("Access-Control-Expose-Headers", "Retry-After");
        exchange.getResponse().getHeaders().add("Vary", "Origin");
        exchange.getResponse().getHeaders().set("X-Half-Written", "1");

        new ApiErrorWebExceptionHandler(JsonMapper.builder().build(), Clock.systemUTC())
                .handle(exchange, new ResponseStatusException(HttpStatus.NOT_ACCEPTABLE)).block();

        assertThat(exchange.getResponse().getStatusCode().value()).isEqualTo(406);
        assertThat(exchange.getResponse().getHeaders().getFirst("Access-Control-Allow-Origin")).isEqualTo("http://localhost:3000");
        assertThat(exchange.getResponse().getHeaders().getFirst("Access-Control-Expose-Headers")).isEqualTo("Retry-After");
        assertThat(exchange.getResponse().getHeaders().get("Vary")).containsExactly("Origin");
        assertThat(exchange.getResponse().getHeaders().containsHeader("X-Half-Written")).isFalse();
        assertThat(exchange.getResponse().getHeaders().getFirst("Content-Type")).isEqualTo("application/json");
        assertThat(exchange.getResponse().getBodyAsString().block())
                .isEqualTo("{\"error\":{\"message\":\"The request was refused.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_request\"}}");
    }
}
