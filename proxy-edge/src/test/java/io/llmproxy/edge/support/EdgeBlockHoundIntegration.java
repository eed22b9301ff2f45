package io.llmproxy.edge.support;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * BlockHound allowances for third-party internals that run on Netty {@code FastThreadLocalThread}s
 * without being event loops: Redisson's worker pool waiting for work in
 * {@code ThreadPoolExecutor.getTask}. Nothing of the project is allowed to block.
 */
public class EdgeBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "getTask");
    }
}
