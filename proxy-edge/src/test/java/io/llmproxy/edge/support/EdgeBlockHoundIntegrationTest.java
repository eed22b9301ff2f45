package io.llmproxy.edge.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AdaptiveByteBufAllocator;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.misc.WrappedLock;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The allowances of {@link EdgeBlockHoundIntegration} are narrow: on a non-blocking thread (a
 * Reactor parallel worker), a contended lock inside Redisson's {@code WrappedLock} or inside a
 * magazine of Netty's adaptive buffer allocator is let through, and the same contended lock taken by
 * our own code is still an error.
 */
class EdgeBlockHoundIntegrationTest {

    final Scheduler nonBlocking = Schedulers.newParallel("blockhound-probe", 1);

    @AfterEach
    void dispose() {
        nonBlocking.dispose();
    }

    @Test
    void aContendedRedissonPoolLockIsAllowedOnANonBlockingThread() throws Exception {
        WrappedLock lock = new WrappedLock();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().start(() -> lock.execute(() -> {
            held.countDown();
            await(release);
        }));
        held.await(5, TimeUnit.SECONDS);
        Mono<String> contended = Mono.fromCallable(() -> lock.execute(() -> "taken")).subscribeOn(nonBlocking);
        Thread.ofPlatform().start(() -> {
            sleep(200); // the probe is parked on the lock by then
            release.countDown();
        });
        assertThat(contended.block(java.time.Duration.ofSeconds(10))).isEqualTo("taken");
        holder.join(5_000);
    }

    @Test
    void aContendedMagazineLockOfNettysAdaptiveAllocatorIsAllowedOnANonBlockingThread() throws Exception {
        AdaptiveByteBufAllocator allocator = new AdaptiveByteBufAllocator(true, false);
        allocator.directBuffer(64).release(); // the allocator has magazines now
        Object magazine = find(allocator, "io.netty.buffer.AdaptivePoolingAllocator$Magazine", 6,
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        assertThat(magazine).as("a magazine of the allocator").isNotNull();
        StampedLock lock = (StampedLock) fieldOfType(magazine, StampedLock.class).get(magazine);
        Method free = magazine.getClass().getDeclaredMethod("free");
        free.setAccessible(true);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().start(() -> {
            long stamp = lock.writeLock();
            try {
                held.countDown();
                await(release);
            } finally {
                lock.unlockWrite(stamp);
            }
        });
        held.await(5, TimeUnit.SECONDS);
        Mono<String> contended = Mono.fromCallable(() -> {
            free.invoke(magazine);
            return "freed";
        }).subscribeOn(nonBlocking);
        Thread.ofPlatform().start(() -> {
            sleep(200); // the probe is parked on the lock by then
            release.countDown();
        });
        assertThat(contended.block(java.time.Duration.ofSeconds(10))).isEqualTo("freed");
        holder.join(5_000);
    }

    @Test
    void aContendedLockOfOurOwnIsStillABlockingCall() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().start(() -> {
            lock.lock();
            try {
                held.countDown();
                await(release);
            } finally {
                lock.unlock();
            }
        });
        held.await(5, TimeUnit.SECONDS);
        Mono<String> contended = Mono.fromCallable(() -> {
            lock.lock();
            try {
                return "taken";
            } finally {
                lock.unlock();
            }
        }).subscribeOn(nonBlocking);
        Throwable error = contended.map(Object.class::cast).onErrorResume(e -> Mono.just(e))
                .block(java.time.Duration.ofSeconds(10)) instanceof Throwable t ? t : null;
        release.countDown();
        holder.join(5_000);
        assertThat(error).isInstanceOf(BlockingOperationError.class).hasMessageContaining("Unsafe#park");
        // recorded too, on the thread it happened on; drained here, as BlockHoundViolations fails the test otherwise
        assertThat(EdgeBlockHoundIntegration.drainViolations())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("Unsafe#park").contains(" on blockhound-probe-");
    }

    /** @return the first object of class {@code className} reachable from {@code root} through fields */
    static Object find(Object root, String className, int depth, Set<Object> seen) throws IllegalAccessException {
        if (root == null || depth < 0 || !seen.add(root)) {
            return null;
        }
        if (root.getClass().getName().equals(className)) {
            return root;
        }
        if (root instanceof Object[] array) {
            for (Object element : array) {
                Object found = find(element, className, depth - 1, seen);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        if (!root.getClass().getName().startsWith("io.netty.buffer.")) {
            return null;
        }
        for (Class<?> type = root.getClass(); type != null; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()) {
                    continue;
                }
                field.setAccessible(true);
                Object found = find(field.get(root), className, depth - 1, seen);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    static Field fieldOfType(Object owner, Class<?> type) {
        for (Field field : owner.getClass().getDeclaredFields()) {
            if (field.getType() == type) {
                field.setAccessible(true);
                return field;
            }
        }
        throw new IllegalStateException("no " + type.getSimpleName() + " in " + owner.getClass());
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
