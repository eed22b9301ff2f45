package io.llmproxy.edge.usage;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for the Kafka producer's acknowledgements of usage events ({@link UsagePublisher}'s sender). */
final class KafkaAcks {

    private KafkaAcks() {
    }

    /** @return true when the (already done) send failed */
    static boolean failed(Future<?> f) {
        try {
            f.get();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } catch (ExecutionException e) {
            return true;
        }
    }

    /**
     * @param deadlineNanos read at every 200 ms tick: the {@link System#nanoTime()} after which waiting stops
     *                      (the shutdown grace period's end, set while a wait may be in progress)
     * @return null when acknowledged, the cause otherwise ({@link ShutdownException} when the deadline passed
     *         or the thread was interrupted)
     */
    static Throwable await(Future<?> f, java.util.function.LongSupplier deadlineNanos) {
        while (true) {
            try {
                f.get(200, TimeUnit.MILLISECONDS);
                return null;
            } catch (ExecutionException e) {
                return e.getCause();
            } catch (TimeoutException e) {
                if (System.nanoTime() > deadlineNanos.getAsLong()) {
                    return new ShutdownException();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new ShutdownException();
            }
        }
    }

    /** The edge is shutting down: what was not acknowledged stays in the journal for the next start. */
    static final class ShutdownException extends Exception {
        ShutdownException() {
            super("edge shutting down", null, false, false);
        }
    }
}
