package io.llmproxy.edge.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the edge's open connections; a connection beyond {@code maxConnections} is answered 503
 * {@code too_many_connections} with {@code Retry-After: 1} in the format of its first request, and
 * closed (it never reaches the application). Its headers are still bounded by the header timeout.
 */
final class ConnectionLimit {

    static final String NAME = "llmproxy.connectionLimit";

    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionLimit(int max) {
        this.max = max;
    }

    /** @return whether {@code channel} is within the limit (it is counted until it closes, either way) */
    boolean admit(Channel channel) {
        int now = open.incrementAndGet();
        channel.closeFuture().addListener(f -> open.decrementAndGet());
        return now <= max;
    }

    /** @return connections open now */
    int open() {
        return open.get();
    }

    /** After the codec of a connection over the limit: answers its first request 503 and closes. */
    static final class Refuse extends ChannelInboundHandlerAdapter {
        private final ErrorResponses errors;
        private boolean answered;

        Refuse(ErrorResponses errors) {
            this.errors = errors;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!answered && msg instanceof HttpRequest request) {
                    answered = true;
                    ctx.writeAndFlush(errors.response(503, request.uri(), null)).addListener(ChannelFutureListener.CLOSE);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }
}
