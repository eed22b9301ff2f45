package io.llmproxy.edge.embeddings;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class EmbeddingsGatewayEstimateTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void reservesACeilingOfCharactersOverFourPlusOnePerToken() {
        assertThat(EmbeddingsGateway.promptEstimate(json.readTree("\"hello world\""))).isEqualTo(3); // ⌈11/4⌉
        assertThat(EmbeddingsGateway.promptEstimate(json.readTree("[\"abcd\",\"efgh\",\"i\"]"))).isEqualTo(3); // ⌈9/4⌉
        assertThat(EmbeddingsGateway.promptEstimate(json.readTree("[[1,2,3],[4,5]]"))).isEqualTo(5);
        assertThat(EmbeddingsGateway.promptEstimate(json.readTree("[1,2,3,4]"))).isEqualTo(4);
        assertThat(EmbeddingsGateway.promptEstimate(json.readTree("\"\""))).isEqualTo(1);
    }
}
