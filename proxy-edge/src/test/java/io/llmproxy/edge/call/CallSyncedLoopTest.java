package io.llmproxy.edge.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.usage.UsagePublisher;
import io.llmproxy.edge.usage.UsagePublishers;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end of an answer waits for its usage event to be synced ({@link Call#synced()}, ADR 0006), and then
 * goes on on the call's own event loop (issue #16), not on the {@code usage-journal} thread that synced it:
 * the answer is written where its connection lives, and the one journal thread only writes the journal.
 */
class CallSyncedLoopTest {

    @RegisterExtension
    final UsagePublishers publishers = new UsagePublishers();
    @TempDir
    Path dir;
    EventLoopGroup group;
    UsagePublisher publisher;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        publisher = publishers.open(dir, 1 << 20, Duration.ofMillis(20), true, Duration.ZERO);
    }

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aCallMadeOnALoopGoesOnThereOnceItsEventIsSynced() throws Exception {
        EventLoop loop = group.next();
        String loopThread = loop.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);
        CompletableFuture<String> resumedOn = new CompletableFuture<>();
        loop.execute(() -> {
            Call call = new Call("chat.completions", publisher);
            call.finish(200, Outcome.SUCCESS);
            call.synced().doOnSuccess(v -> resumedOn.complete(Thread.currentThread().getName())).subscribe();
        });
        assertThat(resumedOn.get(10, TimeUnit.SECONDS)).isEqualTo(loopThread);
        assertThat(UsagePublishers.journaled(publisher)).hasSize(1);
    }

    @Test
    void aCallMadeOffAnyLoopGoesOnOnTheJournalThread() throws Exception {
        Call call = new Call("chat.completions", publisher);
        call.finish(200, Outcome.SUCCESS);
        String resumedOn = call.synced().then(reactor.core.publisher.Mono.fromCallable(() -> Thread.currentThread().getName()))
                .block(Duration.ofSeconds(10));
        assertThat(resumedOn).isEqualTo("usage-journal");
    }

    @Test
    void aLoopThatStoppedDoesNotStrandTheAnswer() throws Exception {
        EventLoop loop = group.next();
        Call call = loop.submit(() -> new Call("chat.completions", publisher)).get(10, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        call.finish(200, Outcome.SUCCESS);
        String resumedOn = call.synced().then(reactor.core.publisher.Mono.fromCallable(() -> Thread.currentThread().getName()))
                .block(Duration.ofSeconds(10));
        assertThat(resumedOn).isEqualTo("usage-journal");
        assertThat(UsagePublishers.journaled(publisher)).hasSize(1);
    }
}
