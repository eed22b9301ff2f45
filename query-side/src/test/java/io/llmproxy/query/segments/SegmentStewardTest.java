package io.llmproxy.query.segments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * When a segment counts as rebuilding for the replay fence: its token is a replay's and below the
 * position of the reset. At that position the rows are complete again, although Axon keeps the replay
 * token (and {@code isReplaying}) until the next event after it, which a quiet system may not have.
 */
class SegmentStewardTest {

    @ParameterizedTest(name = "replaying {0}, at {1}, reset at {2} → {3}")
    @CsvSource({
            "false, 10, ,   false",   // a regular token
            "false, 3,  10, false",   // not a replay token (never the case with a reset position, but not ours to decide)
            "true,  ,   10, true",    // just reset, nothing handled
            "true,  0,  10, true",
            "true,  9,  10, true",
            "true,  10, 10, false",   // at the reset position, Axon still replaying
            "true,  11, 10, false",
            "true,  ,   ,   false"})  // a reset of an empty store
    void rebuildingUntilTheResetPosition(boolean replaying, Long current, Long reset, boolean rebuilding) {
        assertThat(SegmentSteward.rebuilding(replaying, optional(current), optional(reset))).isEqualTo(rebuilding);
    }

    static OptionalLong optional(Long value) {
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }
}
