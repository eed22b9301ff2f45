package io.llmproxy.edge.http;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Hooks;

/**
 * Keeps a body timeout that was already answered out of the ERROR log. {@link RequestDeadlines} fires
 * the 408 {@link RequestBodyException} into the connection's inbound; the handler reading the body
 * answers it (408 in its API's format, with the usage event). When that answer completes, Reactor
 * Netty (1.3) disposes the request's inbound and signals the same stored error a second time to a
 * body subscriber that has already terminated, so Reactor drops it and, with no hook, logs
 * "Operator called default onErrorDropped" at ERROR for every correct 408, on both frames.
 *
 * <p>This installs Reactor's {@link Hooks#onErrorDropped} hook once per JVM: a dropped 408 body
 * timeout is logged at DEBUG; any other dropped error is logged at ERROR with the message and logger
 * of Reactor's default ({@code reactor.core.publisher.Operators}), so nothing else goes quiet.
 */
@Component
class DroppedBodyTimeouts {

    private static final Logger REACTOR = LoggerFactory.getLogger("reactor.core.publisher.Operators");
    private static final Logger log = LoggerFactory.getLogger(DroppedBodyTimeouts.class);
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    DroppedBodyTimeouts() {
        if (INSTALLED.compareAndSet(false, true)) {
            Hooks.onErrorDropped(DroppedBodyTimeouts::dropped);
        }
    }

    /** @param error an error a Reactor operator received after it had terminated */
    static void dropped(Throwable error) {
        if (error instanceof RequestBodyException body && body.status() == 408) {
            log.debug("A body timeout that was already answered was signalled again after the response");
            return;
        }
        REACTOR.error("Operator called default onErrorDropped", error);
    }
}
