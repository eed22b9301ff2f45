package io.llmproxy.edge.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayDeque;

/**
 * The requests of one connection whose final answer is still owed, oldest first (HTTP/1.1 pipelining:
 * answers go out in request order, RFC 9112 §9.3.2), each with what its answer depends on: a {@code HEAD}
 * has no body, an HTTP/1.0 client reads no chunked coding. So {@link RequestDeadlines} shapes an answer by
 * the request it answers, not by the pipelined one being read meanwhile. Only the connection's event loop
 * uses it; a connection that never pipelines allocates nothing.
 */
final class OwedAnswers {

    private static final int HEAD = 1;
    private static final int HTTP_10 = 2;

    /** requests passed on whose final answer has not been written to its end */
    private int count;
    /** flags of the oldest of them (0 when none) */
    private int oldest;
    /** flags of the later ones, oldest first (null until a connection pipelines) */
    private ArrayDeque<Integer> later;

    /** {@code request} was passed on to be answered. */
    void requested(HttpRequest request) {
        int flags = (HttpMethod.HEAD.equals(request.method()) ? HEAD : 0)
                | (HttpVersion.HTTP_1_0.equals(request.protocolVersion()) ? HTTP_10 : 0);
        if (count == 0) {
            oldest = flags;
        } else {
            if (later == null) {
                later = new ArrayDeque<>(4);
            }
            later.add(flags);
        }
        count++;
    }

    /** The oldest owed answer was written to its end (no-op when none is owed). */
    void answered() {
        if (count == 0) {
            return;
        }
        count--;
        Integer next = later == null ? null : later.poll();
        oldest = next == null ? 0 : next;
    }

    /** @return how many answers are owed */
    int count() {
        return count;
    }

    /** @return whether the request being answered is a {@code HEAD} */
    boolean head() {
        return (oldest & HEAD) != 0;
    }

    /** @return whether the request being answered is HTTP/1.0 */
    boolean http10() {
        return (oldest & HTTP_10) != 0;
    }
}
