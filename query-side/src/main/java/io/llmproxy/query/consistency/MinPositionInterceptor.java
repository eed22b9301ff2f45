package io.llmproxy.query.consistency;

import io.llmproxy.adminweb.ProblemWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Read your own writes (ADR 0020): a read that carries {@value #HEADER} (the
 * {@code LLMProxy-Event-Position} of a command's answer) is served only once every read model has
 * passed that position. It waits, polling the token store every {@code pollMs}, at most
 * {@code maxWait}; then it answers 503 problem JSON {@code consistency_timeout} with
 * {@code Retry-After: 1}, never a stale answer. A value that is not a non-negative decimal number
 * (at most 18 digits) is 400 {@code invalid_LLMProxy-Min-Position}. The answer carries
 * {@code LLMProxy-Projection-Position}: the position the read models had reached.
 */
public class MinPositionInterceptor implements HandlerInterceptor {

    /** The request header: the position to wait for. */
    public static final String HEADER = "LLMProxy-Min-Position";
    /** The response header: the position the read models had reached when the read was served. */
    public static final String REACHED = "LLMProxy-Projection-Position";

    private final LongSupplier positions;
    private final Duration maxWait;
    private final long pollMs;

    public MinPositionInterceptor(LongSupplier positions, Duration maxWait, long pollMs) {
        this.positions = positions;
        this.maxWait = maxWait;
        this.pollMs = pollMs;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) throws Exception {
        String value = request.getHeader(HEADER);
        if (value == null) {
            return true;
        }
        long wanted;
        if (!value.strip().matches("[0-9]{1,18}")) {
            ProblemWriter.write(response, 400, "invalid_" + HEADER, HEADER,
                    HEADER + " must be an event position: a non-negative decimal number (the LLMProxy-Event-Position of a command's answer)");
            return false;
        }
        wanted = Long.parseLong(value.strip());
        long deadline = System.nanoTime() + maxWait.toNanos();
        long reached = positions.getAsLong();
        while (reached < wanted) {
            if (System.nanoTime() >= deadline) {
                response.setHeader("Retry-After", "1");
                response.setHeader(REACHED, Long.toString(reached));
                ProblemWriter.write(response, 503, "consistency_timeout", HEADER, "The read models have reached event position "
                        + reached + ", not yet " + wanted + ", after " + maxWait.toMillis() + " ms; retry shortly");
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pollMs));
            reached = positions.getAsLong();
        }
        response.setHeader(REACHED, Long.toString(reached));
        return true;
    }
}
