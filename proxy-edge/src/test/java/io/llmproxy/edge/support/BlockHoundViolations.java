package io.llmproxy.edge.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test during which BlockHound found a blocking call on a non-blocking thread, whether or not
 * the code under test caught the {@code BlockingOperationError} (registered for every test of the module
 * by {@code META-INF/services/org.junit.jupiter.api.extension.Extension} and
 * {@code junit.jupiter.extensions.autodetection.enabled}). A test that provokes blocking calls on purpose
 * drains them ({@link EdgeBlockHoundIntegration#drainViolations}) in its own {@code @AfterEach}, which
 * runs before this check.
 */
public class BlockHoundViolations implements BeforeEachCallback, AfterEachCallback {

    @Override
    public void beforeEach(ExtensionContext context) {
        EdgeBlockHoundIntegration.drainViolations(); // what a background thread did between tests is not this test's
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertThat(EdgeBlockHoundIntegration.drainViolations())
                .as("blocking calls on non-blocking threads during %s", context.getDisplayName())
                .isEmpty();
    }
}
