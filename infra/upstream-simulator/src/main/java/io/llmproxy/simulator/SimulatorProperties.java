package io.llmproxy.simulator;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Simulator-wide settings, bound from the {@code simulator.*} properties (or the matching
 * {@code SIMULATOR_*} environment variables).
 *
 * <p>The latency defaults apply to every provider format and every request that does not override
 * them with the {@code x-sim-ttft-ms} / {@code x-sim-inter-token-ms} request headers (see
 * {@link io.llmproxy.simulator.http.SimulatorKnobs}).
 *
 * @param ttftMs       time to first token, in milliseconds ({@code simulator.ttft-ms}, default 0);
 *                     must be &ge; 0
 * @param interTokenMs delay between two consecutive completion tokens, in milliseconds
 *                     ({@code simulator.inter-token-ms}, default 0); must be &ge; 0
 */
@ConfigurationProperties(prefix = "simulator")
public record SimulatorProperties(
        @DefaultValue("0") long ttftMs,
        @DefaultValue("0") long interTokenMs) {

    public SimulatorProperties {
        if (ttftMs < 0) {
            throw new IllegalArgumentException("simulator.ttft-ms must be >= 0, was " + ttftMs);
        }
        if (interTokenMs < 0) {
            throw new IllegalArgumentException("simulator.inter-token-ms must be >= 0, was " + interTokenMs);
        }
    }
}
