package io.llmproxy.simulator.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.simulator.core.LatencyProfile;
import org.junit.jupiter.api.Test;

class SimulatorKnobsTest {

    @Test
    void slowModelNameSetsTheInterTokenDelayAndKeepsTtft() {
        LatencyProfile base = new LatencyProfile(50, 5);
        assertThat(SimulatorKnobs.latency("sim-slow-200", base)).isEqualTo(new LatencyProfile(50, 200));
        assertThat(SimulatorKnobs.latency("sim-slow-999999", base).interTokenMs()).isEqualTo(SimulatorKnobs.MAX_LATENCY_MS);
        assertThat(SimulatorKnobs.latency("sim-gpt-4o-mini", base)).isSameAs(base);
        assertThat(SimulatorKnobs.latency("sim-slow-abc", base)).isSameAs(base);
    }

    @Test
    void ttftModelNameSetsTheTimeToFirstToken() {
        LatencyProfile base = new LatencyProfile(50, 5);
        assertThat(SimulatorKnobs.latency("gpt-sim-ttft-800", base)).isEqualTo(new LatencyProfile(800, 5));
    }

    @Test
    void failNTimesThenSucceedCountsPerModelName() {
        String model = "gpt-sim-fail-2-503-" + System.nanoTime();
        assertThat(SimulatorKnobs.forcedStatus(model)).hasValue(503);
        assertThat(SimulatorKnobs.forcedStatus(model)).hasValue(503);
        assertThat(SimulatorKnobs.forcedStatus(model)).isEmpty();
        assertThat(SimulatorKnobs.forcedStatus(model)).isEmpty();
        assertThat(SimulatorKnobs.forcedStatus(model + "-other")).as("its own count").hasValue(503);
        assertThat(SimulatorKnobs.forcedStatus("sim-error-429")).hasValue(429);
        assertThat(SimulatorKnobs.forcedStatus("sim-gpt-4o-mini")).isEmpty();
    }
}
