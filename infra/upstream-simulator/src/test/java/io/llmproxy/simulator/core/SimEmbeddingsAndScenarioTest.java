package io.llmproxy.simulator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class SimEmbeddingsAndScenarioTest {

    @Test
    void vectorsAreDeterministicUnitLengthAndDifferPerText() {
        double[] a = SimEmbeddings.vector("hello world", 8);
        assertThat(a).hasSize(8).containsExactly(SimEmbeddings.vector("hello world", 8));
        double norm = 0;
        for (double v : a) {
            norm += v * v;
            assertThat(v).isBetween(-1.0, 1.0);
            assertThat((double) (float) v).isEqualTo(v); // float32-exact, so base64 float32 round-trips
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, Offset.offset(1e-6));
        assertThat(SimEmbeddings.vector("hello worlds", 8)).isNotEqualTo(a);
        assertThat(SimEmbeddings.vector("hello world", 3)).hasSize(3);
        assertThatThrownBy(() -> SimEmbeddings.vector("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scenariosComeFromModelNamesOrTheFaultHeader() {
        assertThat(SimScenario.of("sim-tool-call", null, true)).isEqualTo(new SimScenario(true, SimScenario.Fault.NONE));
        assertThat(SimScenario.of("sim-tool-call", null, false).toolCall()).isFalse();
        assertThat(SimScenario.of("sim-midstream-error", null, false).fault()).isEqualTo(SimScenario.Fault.MIDSTREAM_ERROR);
        assertThat(SimScenario.of("sim-cut", null, false).fault()).isEqualTo(SimScenario.Fault.CUT);
        assertThat(SimScenario.of("llama3.2", "cut", false).fault()).isEqualTo(SimScenario.Fault.CUT);
        assertThat(SimScenario.of("sim-cut", "none", false).fault()).isEqualTo(SimScenario.Fault.NONE);
        assertThatThrownBy(() -> SimScenario.of("m", "explode", false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x-sim-fault");
        assertThat(SimScenario.tokensBeforeFault(1)).isEqualTo(1);
        assertThat(SimScenario.tokensBeforeFault(9)).isEqualTo(4);
        assertThat(SimScenario.lastUserText(List.of(NormalizedMessage.text("user", "a"), NormalizedMessage.text("assistant", "b"),
                new NormalizedMessage("user", List.of("c", "d"), 0)))).isEqualTo("c d");
    }
}
