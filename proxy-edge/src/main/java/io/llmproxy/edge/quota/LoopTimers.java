package io.llmproxy.edge.quota;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Where the quota's Redis timeouts tick (issue #16): on the Netty event loop of the thread that starts the
 * timeout, through Netty's own scheduled tasks, instead of Reactor's {@code parallel} scheduler. A call with
 * quota policies starts two timeouts (reserve, settle) and cancels both when Redis answers. On {@code parallel}
 * the worker sleeps until the deadline of the timer that was first when it went to sleep, cancelled or not, so
 * it woke about once per timer (19.2 µs per call on that thread alone in
 * {@code bench/results/20261207T141400Z.md}); a timer started on the loop that runs the call is a queue
 * insertion on that thread, and the loop's own wait already ends at its next deadline.
 *
 * <p>The calling thread's loop is Netty's record of it ({@code ThreadExecutorMap}), as {@code Call} finds its own.
 * A timeout started off any event loop (tests, start-up, a scheduler's thread) ticks on {@code parallel} as
 * before. The schedulers are wrappers of the loops and are never disposed (disposing one would shut its loop
 * down): the loops belong to the HTTP server's resources.
 */
final class LoopTimers {

    private static final ConcurrentHashMap<EventExecutor, Scheduler> BY_LOOP = new ConcurrentHashMap<>();

    private LoopTimers() {
    }

    /**
     * @return a scheduler whose delayed tasks run on the calling thread's event loop; Reactor's
     *     {@code parallel} scheduler when the calling thread is not an event loop
     */
    static Scheduler current() {
        EventExecutor executor = ThreadExecutorMap.currentExecutor();
        if (!(executor instanceof EventLoop loop)) {
            return Schedulers.parallel();
        }
        Scheduler scheduler = BY_LOOP.get(loop);
        return scheduler != null ? scheduler : BY_LOOP.computeIfAbsent(loop, Schedulers::fromExecutorService);
    }
}
