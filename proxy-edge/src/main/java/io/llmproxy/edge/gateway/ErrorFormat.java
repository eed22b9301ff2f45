package io.llmproxy.edge.gateway;

/**
 * How one client API writes a {@link GatewayError} as a response body (OpenAI
 * {@code {"error":{"message","type","param","code"}}}, Anthropic {@code {"type":"error","error":{"type","message"}}},
 * Ollama {@code {"error":"…"}}). Status, {@code Retry-After} and other headers are set by
 * {@link GatewayResponses} the same way for every format. No Spring, Reactor or Netty types.
 */
public interface ErrorFormat {

    /** @return the {@code Content-Type} of error bodies */
    default String contentType() {
        return "application/json";
    }

    /** @return the error body (UTF-8 JSON) */
    byte[] error(GatewayError error);
}
