package io.llmproxy.edge.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * BlockHound allowances for third-party internals, none of them I/O:
 * <ul>
 *   <li>Redisson's worker pool, on Netty {@code FastThreadLocalThread}s that are not event loops,
 *       waiting for work in {@code ThreadPoolExecutor.getTask};</li>
 *   <li>Jackson's deserializer cache, which takes a short in-memory lock the first time a type is
 *       deserialized (contended only while a cold instance meets concurrent requests);</li>
 *   <li>Redisson's connection pool, whose queues of free connections are guarded by a
 *       {@code ReentrantLock} ({@code org.redisson.misc.WrappedLock}): a Redis reply releasing a
 *       connection on a Redisson event loop while another command takes one waits for it. A CI
 *       run under load turned that wait into a 503 {@code quota_store_unavailable};</li>
 *   <li>{@code ThreadPoolExecutor.addWorker}, whose {@code mainLock} guards the set of workers
 *       when a scheduler (Reactor's bounded-elastic, on which Redis commands are issued) starts a
 *       thread; Reactor's own integration allows the matching {@code processWorkerExit}.</li>
 *   <li>Netty's adaptive buffer allocator (the default of Netty 4.2), whose magazines guard their
 *       current chunk with a {@code StampedLock}: {@code Magazine.free} takes it with a blocking
 *       {@code writeLock} when the allocator grows or shrinks its magazines, so a buffer allocated on
 *       one thread while another allocates from the same magazine waits for it. A CI run under load
 *       turned that wait into a closed connection (a test server writing a stream from Reactor's
 *       parallel scheduler). Netty's own integration allows the same lock of its older pooled
 *       allocator ({@code PoolArena.lock}, {@code PoolChunk.free}), not this one's.</li>
 * </ul>
 * The same kind of false positive, short in-memory locks of third-party internals contended
 * under load, is allowed by Netty and Reactor for their own queues.
 * Nothing of the project is allowed to block.
 *
 * <p>Every blocking call BlockHound finds is also recorded ({@link #drainViolations}), then thrown as
 * usual: code that catches the error (a quota store failure handler turns any exception into "store
 * down") would otherwise hide it, and {@link BlockHoundViolations} fails the test it happened in.
 */
public class EdgeBlockHoundIntegration implements BlockHoundIntegration {

    private static final ConcurrentLinkedQueue<String> VIOLATIONS = new ConcurrentLinkedQueue<>();

    /** @return the blocking calls found since the last drain ("method on thread"), oldest first; empties the record */
    public static List<String> drainViolations() {
        List<String> out = new ArrayList<>();
        for (String v; (v = VIOLATIONS.poll()) != null; ) {
            out.add(v);
        }
        return out;
    }

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.blockingMethodCallback(method -> {
            VIOLATIONS.add(method + " on " + Thread.currentThread().getName());
            throw new BlockingOperationError(method);
        });
        builder.allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "getTask");
        builder.allowBlockingCallsInside("tools.jackson.databind.deser.DeserializerCache", "_createAndCacheValueDeserializer");
        builder.allowBlockingCallsInside("org.redisson.misc.WrappedLock", "execute");
        builder.allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "addWorker");
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "free");
    }
}
