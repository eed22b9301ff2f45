package io.llmproxy.simulator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyProfileTest {

    @Test
    void totalDelayIsTtftPlusOneInterTokenDelayPerToken() {
        assertThat(new LatencyProfile(200, 15).totalDelay(10)).isEqualTo(Duration.ofMillis(350));
        assertThat(LatencyProfile.NONE.totalDelay(47)).isEqualTo(Duration.ZERO);
    }

    @Test
    void negativeLatenciesAreRejected() {
        assertThatThrownBy(() -> new LatencyProfile(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LatencyProfile(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
