package io.llmproxy.query.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Query-side settings ({@code llmproxy.query.*}).
 *
 * @param adminToken        bearer token for {@code /admin}, {@code /audit} and {@code /finance}
 *                          (env {@code LLMPROXY_ADMIN_TOKEN})
 * @param eventFetchDelayMs how long the event store reader waits before polling PostgreSQL again
 *                          when it has caught up, in ms; bounds projection lag (default 100)
 */
@ConfigurationProperties("llmproxy.query")
public record QuerySideProperties(String adminToken, @DefaultValue("100") long eventFetchDelayMs) {
}
