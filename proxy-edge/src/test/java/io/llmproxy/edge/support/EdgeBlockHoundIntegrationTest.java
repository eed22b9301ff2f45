package io.llmproxy.edge.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.misc.WrappedLock;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The allowances of {@link EdgeBlockHoundIntegration} are narrow: on a non-blocking thread (a
 * Reactor parallel worker), a contended lock inside Redisson's {@code WrappedLock} is let
 * through, and the same contended {@code ReentrantLock} taken by our own code is still an error.
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
