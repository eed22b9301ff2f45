package io.llmproxy.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Only an answered body timeout leaves the ERROR log; every other dropped error is still logged there. */
@ExtendWith(OutputCaptureExtension.class)
class DroppedBodyTimeoutsTest {

    @Test
    void aDroppedBodyTimeoutIsNotAnError(CapturedOutput output) {
        DroppedBodyTimeouts.dropped(RequestBodyException.timeout("The request body was not received in time."));
        assertThat(output.getAll()).doesNotContain("onErrorDropped").doesNotContain("ERROR");
    }

    @Test
    void everyOtherDroppedErrorIsStillLoggedAtError(CapturedOutput output) {
        DroppedBodyTimeouts.dropped(new IllegalStateException("a real failure after the end"));
        DroppedBodyTimeouts.dropped(new RequestBodyException(415, "unsupported_media_type", "not a timeout"));
        assertThat(output.getAll()).contains("Operator called default onErrorDropped")
                .contains("a real failure after the end").contains("not a timeout").contains("ERROR");
    }
}
