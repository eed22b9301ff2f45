package io.llmproxy.query.replay;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The coordinated replay's settings ({@code llmproxy.query.replay.*}, ADR 0023).
 *
 * @param pollInterval how often each instance's {@link ReplayCoordinator} looks at the open requests
 *                     (default 250 ms)
 * @param timeout      how long a request may stay open before it is marked {@code FAILED} and every
 *                     instance starts its processor again, counted from the request (default 60 s)
 * @param claimTimeout after how long without being renewed a segment's claim in the token store belongs
 *                     to a dead instance; must equal the token store's own claim timeout, which the
 *                     query side leaves at {@code JdbcTokenStore}'s default (10 s)
 */
@ConfigurationProperties("llmproxy.query.replay")
public record ReplayProperties(@DefaultValue("250ms") Duration pollInterval, @DefaultValue("60s") Duration timeout,
                               @DefaultValue("10s") Duration claimTimeout) {
}
