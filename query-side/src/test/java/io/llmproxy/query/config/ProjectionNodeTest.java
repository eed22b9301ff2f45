package io.llmproxy.query.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code LLMPROXY_NODE_ID}: the owner name written into the token store and shown in replay states
 * and logs. Names of pods and hosts are taken as they are; anything that could break a log line, a
 * JSON answer or a column (control characters, quotes, blanks, non-ASCII, over 255) stops the start
 * with a message that does not carry the odd characters; the generated name is sanitised.
 */
class ProjectionNodeTest {

    static Stream<Arguments> accepted() {
        return Stream.of(Arguments.of("query-side-0", "query-side-0"),
                Arguments.of("  query-side-7f9c4d-x2x9z \n", "query-side-7f9c4d-x2x9z"),
                Arguments.of("12345@ip-10-0-1-7.eu-west-1.compute.internal/1a2b3c4d", "12345@ip-10-0-1-7.eu-west-1.compute.internal/1a2b3c4d"),
                Arguments.of("node_A:2", "node_A:2"),
                Arguments.of("n".repeat(255), "n".repeat(255)));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("accepted")
    void hostAndPodNamesAreTaken(String configured, String id) {
        assertThat(ProjectionNode.of(configured).id()).isEqualTo(id);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("a newline (log injection)", "node-a\n{\"log.level\":\"ERROR\",\"message\":\"forged\"}",
                        "47 characters: node-a???log.level?:?ERROR???message?:?forged??"),
                Arguments.of("a carriage return", "node-a\rnode-b", "13 characters: node-a?node-b"),
                Arguments.of("a NUL", "node\u0000a", "6 characters: node?a"),
                Arguments.of("a tab inside", "node\ta", "6 characters: node?a"),
                Arguments.of("a blank inside", "node a", "6 characters: node?a"),
                Arguments.of("SQL", "x'); DROP TABLE tokenentry;--", "29 characters: x????DROP?TABLE?tokenentry?--"),
                Arguments.of("an ANSI escape", "\u001b[31mred", "8 characters: ??31mred"),
                Arguments.of("non-ASCII", "nœud-ü", "6 characters: n?ud-?"),
                Arguments.of("256 characters", "n".repeat(256), "256 characters: " + "n".repeat(256)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void anythingElseStopsTheStartWithoutEchoingIt(String what, String configured, String shown) {
        assertThatThrownBy(() -> ProjectionNode.of(configured)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LLMPROXY_NODE_ID must be 1 to 255 characters of [A-Za-z0-9._:@/-], got " + shown);
    }

    @Test
    void blankMeansAFreshGeneratedName() {
        String one = ProjectionNode.of("  ").id();
        String two = ProjectionNode.of(null).id();
        assertThat(one).matches("[A-Za-z0-9._:@/-]+/[0-9a-f]{8}").isNotEqualTo(two);
    }

    @Test
    void theGeneratedNameIsSanitisedAndCutToFit() {
        assertThat(ProjectionNode.generated("42@host name\n\"x\"").id()).matches("42@host_name__x_/[0-9a-f]{8}");
        assertThat(ProjectionNode.generated("42@" + "h".repeat(400)).id()).hasSize(255).startsWith("42@hhh");
        assertThat(ProjectionNode.generated("").id()).matches("query-side/[0-9a-f]{8}");
    }
}
