package io.llmproxy.edge.support;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * BlockHound allowances for third-party internals, none of them I/O:
 * <ul>
 *   <li>Redisson's worker pool, on Netty {@code FastThreadLocalThread}s that are not event loops,
 *       waiting for work in {@code ThreadPoolExecutor.getTask};</li>
 *   <li>Jackson's deserializer cache, which takes a short in-memory lock the first time a type is
 *       deserialized (contended only while a cold instance meets concurrent requests).</li>
 * </ul>
 * Nothing of the project is allowed to block.
 */
public class EdgeBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "getTask");
        builder.allowBlockingCallsInside("tools.jackson.databind.deser.DeserializerCache", "_createAndCacheValueDeserializer");
    }
}
