package io.llmproxy.edge.api.responses;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Responses API settings ({@code llmproxy.edge.responses.*}; README "OpenAI Responses API", ADR 0018).
 *
 * @param ttl          how long a stored response (its object and the conversation's items, for
 *                     {@code previous_response_id}, {@code GET} and {@code DELETE}) is kept in Redis
 *                     after it was created (default 30 days, as OpenAI keeps them)
 * @param storeTimeout longest wait for Redis when loading or saving a stored response (default 2 s):
 *                     a load that times out is 503, a save that times out is logged and the answer
 *                     still sent
 */
@ConfigurationProperties("llmproxy.edge.responses")
public record ResponsesProperties(@DefaultValue("30d") Duration ttl, @DefaultValue("2s") Duration storeTimeout) {
}
