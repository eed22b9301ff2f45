package io.llmproxy.edge.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The quota's Redis timeouts tick on the event loop that started them, and on Reactor's {@code parallel}
 * scheduler off any loop (issue #16).
 */
class LoopTimersTest {

    static MultiThreadIoEventLoopGroup loops;

    @BeforeAll
    static void start() {
        loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    @Test
    void offAnEventLoopTheTimerIsReactorsParallelScheduler() throws Exception {
        assertThat(LoopTimers.current()).isSameAs(Schedulers.parallel());
        AtomicReference<Scheduler> onPlainThread = new AtomicReference<>();
        Thread plain = Thread.ofPlatform().start(() -> onPlainThread.set(LoopTimers.current()));
        plain.join(5000);
        assertThat(onPlainThread.get()).isSameAs(Schedulers.parallel());
    }

    @Test
    void aTimeoutStartedOnAnEventLoopFiresOnThatLoop() throws Exception {
        EventLoop loop = loops.next();
        CompletableFuture<Thread> loopThread = new CompletableFuture<>();
        CompletableFuture<Thread> firedOn = new CompletableFuture<>();
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        loop.execute(() -> {
            loopThread.complete(Thread.currentThread());
            Scheduler timer = LoopTimers.current();
            assertThat(timer).isNotSameAs(Schedulers.parallel()).isSameAs(LoopTimers.current());
            Mono.never().timeout(Duration.ofMillis(50), timer)
                    .subscribe(v -> { }, e -> {
                        firedOn.complete(Thread.currentThread());
                        error.complete(e);
                    });
        });
        assertThat(error.get(5, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(firedOn.get()).isSameAs(loopThread.get());
    }

    @Test
    void eachLoopHasItsOwnTimerAndAnAnswerBeforeTheDeadlineCancelsIt() throws Exception {
        EventLoop first = loops.next();
        EventLoop second = loops.next();
        assertThat(second).isNotSameAs(first);
        CompletableFuture<Scheduler> a = new CompletableFuture<>();
        CompletableFuture<Scheduler> b = new CompletableFuture<>();
        first.execute(() -> a.complete(LoopTimers.current()));
        second.execute(() -> b.complete(LoopTimers.current()));
        assertThat(a.get(5, TimeUnit.SECONDS)).isNotSameAs(b.get(5, TimeUnit.SECONDS));

        // the answer comes from another thread (Redis's connection may be on another loop) before the deadline
        Sinks.One<String> answer = Sinks.one();
        CompletableFuture<String> value = new CompletableFuture<>();
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        first.execute(() -> answer.asMono().timeout(Duration.ofMillis(300), LoopTimers.current())
                .subscribe(value::complete, error::complete));
        second.execute(() -> answer.tryEmitValue("reply"));
        assertThat(value.get(5, TimeUnit.SECONDS)).isEqualTo("reply");
        Thread.sleep(500); // past the deadline: the cancelled timer must not fire
        assertThat(error).isNotDone();
    }
}
