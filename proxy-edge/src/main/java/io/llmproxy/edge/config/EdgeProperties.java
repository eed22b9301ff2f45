package io.llmproxy.edge.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Edge settings ({@code llmproxy.edge.*}).
 *
 * @param secretKey               master key (base64 of 32 bytes) that decrypts provider
 *                                credentials; env {@code LLMPROXY_SECRET_KEY}
 * @param snapshotPollInterval    how often the snapshot poller asks PostgreSQL for changed rows
 *                                (default 250 ms); with the projection lag this bounds how long a
 *                                revoked key keeps working (ADR 0002)
 * @param snapshotFullReload      how often the whole snapshot is reloaded (default 5 min), which
 *                                also picks up a projection rebuilt from zero
 * @param upstreamConnectTimeout  TCP connect timeout to a provider (default 5 s)
 * @param upstreamIdleTimeout     longest silence from a provider once the request is sent, for
 *                                the first byte and between stream events (default 300 s) → 504
 * @param maxRequestBytes         largest client request body accepted (default 16 MiB) → 413
 */
@ConfigurationProperties("llmproxy.edge")
public record EdgeProperties(
        String secretKey,
        @DefaultValue("250ms") Duration snapshotPollInterval,
        @DefaultValue("5m") Duration snapshotFullReload,
        @DefaultValue("5s") Duration upstreamConnectTimeout,
        @DefaultValue("300s") Duration upstreamIdleTimeout,
        @DefaultValue("16777216") int maxRequestBytes) {
}
