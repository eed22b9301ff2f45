package io.llmproxy.edge.http;

import io.llmproxy.edge.gateway.GatewayError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One per HTTP/1.1 connection, right after Netty's {@code HttpServerCodec}: bounds how long a client
 * may take to send a request, and answers what the codec cannot parse in the called API's JSON.
 * <ul>
 *   <li>headers: from the first byte of a request to the end of its headers, at most
 *       {@code headerTimeout} → 408, closed;</li>
 *   <li>body: at most {@code bodyReadTimeout} of silence and {@code bodyTimeout} in all → the
 *       handler reading the body gets {@link RequestBodyException} (408) and answers it in its
 *       format, with the usage event; if it has not answered within {@link #GRACE_NANOS}, this
 *       handler sends the 408 itself; a body still unread after a response was sent (a client that
 *       lied about {@code Content-Length}) just closes the connection;</li>
 *   <li>the codec's own errors (Reactor Netty answers them with an empty body): 400 bad request
 *       line or header, 414 request line too long, 431 headers too large, with a JSON body and
 *       {@code Connection: close}; so is any other error answered without a body (the actuator's
 *       empty 404s, the CORS refusals' 403s), keeping its {@code Vary} headers;</li>
 *   <li>a path with an encoded slash or backslash ({@code %2F}, {@code %5C}): 400, closed, before
 *       any routing (such a path means different things to different parsers);</li>
 *   <li>a {@code Transfer-Encoding} other than {@code chunked} alone: 400 or 501, closed, before any
 *       routing ({@link TransferCodings});</li>
 *   <li>a 413 answered while the request's body is still unread (its {@code Content-Length} declared more
 *       than the gateway reads: {@link EdgeRequest#declaredWithin}): {@code Connection: close}, closed after it;</li>
 *   <li>a response of unknown length (a stream) to an HTTP/1.0 request, which cannot read chunked:
 *       sent without {@code Transfer-Encoding}, with {@code Connection: close}, and ended by closing
 *       the connection.</li>
 * </ul>
 * Nothing here runs while a response is being written after the request was read: a long stream
 * is never cut. Timers are armed only when a read ends with a request incomplete, so a request that
 * arrives in one read costs no timer. All methods run on the connection's event loop.
 */
final class RequestDeadlines extends ChannelDuplexHandler {

    /** Pipeline name of this handler. */
    static final String NAME = "llmproxy.requestDeadlines";
    /** Pipeline name of the {@link Sniffer}, before the codec. */
    static final String SNIFFER = "llmproxy.requestSniffer";
    /** How long the application has to answer a body timeout before this handler does. */
    static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a connection closing after an unread body's 413 keeps dropping what arrives ({@link #close}). */
    static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_TARGET = 96;

    private enum Inbound { AWAIT_HEAD, HEAD, BODY }

    private final long headerTimeout;
    private final long bodyReadTimeout;
    private final long bodyTimeout;
    private final ErrorResponses errors;

    private Inbound inbound = Inbound.AWAIT_HEAD;
    private long headStart;
    private long bodyStart;
    private long lastRead;
    /** the request target of the request being read: sniffed from the raw bytes, then the decoded one */
    private final StringBuilder target = new StringBuilder();
    private boolean targetDone;
    private boolean responseStarted;
    private boolean timedOut;
    private boolean rejected;
    /** requests passed on whose final response has not been written to its end yet (pipelining) */
    private final OwedAnswers owed = new OwedAnswers();
    /** this handler's own answer, held until the responses still owed to earlier requests are written */
    private FullHttpResponse deferred;
    /** the response is delimited by closing the connection (a stream to an HTTP/1.0 client) */
    private boolean closeDelimited;
    /** a 413 was answered before the request's body was read: the connection closes after it, lingering */
    private boolean bodyAbandoned;
    /** output shut down after such a 413: what still arrives is read and dropped until the close */
    private boolean lingering;
    private Throwable decodeFailure;
    private ScheduledFuture<?> timer;

    RequestDeadlines(EdgeServerProperties properties, ErrorResponses errors) {
        this.headerTimeout = properties.headerTimeout().toNanos();
        this.bodyReadTimeout = properties.bodyReadTimeout().toNanos();
        this.bodyTimeout = properties.bodyTimeout().toNanos();
        this.errors = errors;
    }

    /** The raw side, before the codec: notes every read and the start of each request line. */
    final class Sniffer extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
                lastRead = System.nanoTime();
                if (inbound == Inbound.AWAIT_HEAD) {
                    inbound = Inbound.HEAD;
                    headStart = lastRead;
                    target.setLength(0);
                    targetDone = false;
                }
                if (inbound == Inbound.HEAD && !targetDone) {
                    sniff(bytes);
                }
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Collects the request target (after the method, up to the first space or line end), at most {@value #MAX_TARGET} chars. */
    private void sniff(ByteBuf bytes) {
        int spaces = target.isEmpty() ? 0 : 1;
        for (int i = bytes.readerIndex(); i < bytes.writerIndex() && !targetDone; i++) {
            byte b = bytes.getByte(i);
            if (b == '\r' || b == '\n') {
                targetDone = !target.isEmpty();
            } else if (b == ' ') {
                if (spaces == 1 && !target.isEmpty()) {
                    targetDone = true;
                }
                spaces = 1;
            } else if (spaces == 1) {
                target.append((char) (b & 0xff));
                targetDone = target.length() >= MAX_TARGET;
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected || lingering) {
            ReferenceCountUtil.release(msg);
            if (lingering && !ctx.channel().config().isAutoRead()) {
                ctx.read();
            }
            return;
        }
        boolean failed = msg instanceof DecoderResultProvider p && p.decoderResult().isFailure();
        if (failed) {
            decodeFailure = ((DecoderResultProvider) msg).decoderResult().cause();
        }
        if (msg instanceof HttpRequest request) {
            cancelTimer();
            if (!failed) {
                // a request that failed to decode has a made-up target: keep the sniffed one
                target.setLength(0);
                target.append(request.uri(), 0, Math.min(request.uri().length(), MAX_TARGET));
            }
            targetDone = true;
            responseStarted = false;
            GatewayError refusal = failed ? null : TransferCodings.refusalBeforeRouting(request);
            if (refusal != null) {
                // a request that parsers on the path could read differently: answered here, and closed
                rejected = true;
                ReferenceCountUtil.release(msg);
                respondAndClose(ctx, errors.response(refusal, target.toString()));
                return;
            }
            inbound = Inbound.BODY;
            bodyStart = System.nanoTime();
        }
        if (msg instanceof LastHttpContent) {
            cancelTimer();
            inbound = Inbound.AWAIT_HEAD;
        }
        if (msg instanceof HttpRequest request) {
            owed.requested(request);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (timer == null && !timedOut && (inbound == Inbound.HEAD || inbound == Inbound.BODY)) {
            schedule(ctx, deadline() - System.nanoTime());
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // the end of a final response (a 100 Continue is a full response too, but not the request's answer)
        boolean ends = msg instanceof LastHttpContent
                && !(msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL);
        if (msg instanceof HttpResponse response) {
            responseStarted = true;
            if (msg instanceof FullHttpResponse full && !owed.head() && isBareError(full)) {
                FullHttpResponse answer = errors.response(bareErrorStatus(full.status().code()), target.toString(), decodeFailure);
                // what the bare answer varies by stays (CorsWebFilter's Vary: Origin on a refused origin), so
                // no cache serves one origin's refusal to another
                answer.headers().add(HttpHeaderNames.VARY, full.headers().getAll(HttpHeaderNames.VARY));
                if (decodeFailure == null && !full.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)) {
                    // the request was read whole (a target Spring cannot parse, an empty 404): the connection stays
                    // in step and open, so the answer does not announce a close that does not come
                    answer.headers().remove(HttpHeaderNames.CONNECTION);
                }
                full.release();
                msg = answer;
            } else if (timedOut) {
                // the application's answer to a body timeout: the connection ends with it
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (inbound == Inbound.BODY && response.status().code() == 413) {
                // a body declared too large, refused before it was read (EdgeRequest.declaredWithin): it is
                // never read, so the connection ends with the answer (RFC 9110 §15.5.14)
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                bodyAbandoned = true;
            }
            if (owed.http10() && !(msg instanceof FullHttpResponse) && HttpUtil.isTransferEncodingChunked(response)) {
                // HTTP/1.0 has no chunked coding (RFC 9112 §6.1): a stream's end is the connection's close
                response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                closeDelimited = true;
            }
        }
        if (ends) {
            owed.answered();
        }
        if (ends && deferred != null && owed.count() == 0) {
            // every earlier request has its answer: now this handler's own, then the close
            ctx.write(msg, promise);
            FullHttpResponse answer = deferred;
            deferred = null;
            ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if ((timedOut || closeDelimited || bodyAbandoned) && msg instanceof LastHttpContent) {
            promise = promise.unvoid();
            promise.addListener(ChannelFutureListener.CLOSE);
        }
        ctx.write(msg, promise);
    }

    /**
     * A close after a 413 whose body was never read lingers (RFC 9112 §9.6): closing a socket with unread
     * bytes makes the kernel answer with a reset, which can destroy the 413 before the client, still
     * sending its body, has read it. So the output is shut down first (the client reads the answer, then
     * the end), what still arrives is dropped, and the connection closes when the client closes it or after
     * {@link #LINGER_NANOS}.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (lingering && ctx.channel().isActive()) {
            // another close while lingering (Reactor Netty's own for Connection: close, a timer): the linger's
            ctx.channel().closeFuture().addListener(closed -> promise.trySuccess());
            return;
        }
        if (bodyAbandoned && !lingering && ctx.channel() instanceof io.netty.channel.socket.DuplexChannel duplex
                && ctx.channel().isActive()) {
            lingering = true;
            duplex.shutdownOutput();
            // read on (Reactor Netty stops reading once it has answered): unread bytes are what makes the reset
            ctx.channel().config().setAutoRead(true);
            ctx.read();
            ctx.executor().schedule(() -> ctx.close(promise), LINGER_NANOS, TimeUnit.NANOSECONDS);
            return;
        }
        ctx.close(promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
        releaseDeferred();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        releaseDeferred();
        ctx.fireChannelInactive();
    }

    private void releaseDeferred() {
        if (deferred != null) {
            deferred.release();
            deferred = null;
        }
    }

    private long deadline() {
        return inbound == Inbound.HEAD ? headStart + headerTimeout
                : Math.min(lastRead + bodyReadTimeout, bodyStart + bodyTimeout);
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> check(ctx), Math.max(delayNanos, 1), TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check(ChannelHandlerContext ctx) {
        timer = null;
        if (!ctx.channel().isActive() || timedOut || (inbound != Inbound.HEAD && inbound != Inbound.BODY)) {
            return;
        }
        long left = deadline() - System.nanoTime();
        if (left > 0) {
            schedule(ctx, left);
            return;
        }
        timedOut = true;
        if (inbound == Inbound.HEAD) {
            // no request object exists yet: nothing in the application can answer
            respondAndClose(ctx, errors.response(408, target.toString(), null));
        } else if (responseStarted) {
            // answered before its body was read (a 401, a 404…): nothing left to say
            ctx.close();
        } else if (owed.count() > 1) {
            // a pipelined request whose body stalls while an earlier one is still answered: the application
            // has not seen it yet, so this handler answers it, after the earlier answers
            respondAndClose(ctx, errors.response(408, target.toString(), null));
        } else {
            ctx.fireExceptionCaught(RequestBodyException.timeout("The request body was not received in time."));
            ctx.executor().schedule(() -> {
                if (!responseStarted && ctx.channel().isActive()) {
                    respondAndClose(ctx, errors.response(408, target.toString(), null));
                }
            }, GRACE_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Sends this handler's own answer and closes the connection; while earlier pipelined requests still
     * await their answers, it waits behind them (responses go out in request order, RFC 9112 §9.3.2)
     * and reads nothing more meanwhile.
     */
    private void respondAndClose(ChannelHandlerContext ctx, FullHttpResponse response) {
        responseStarted = true;
        if (owed.count() > 0) {
            rejected = true;
            releaseDeferred();
            deferred = response;
            return;
        }
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * @return whether {@code response} is an error without a body: Reactor Netty's own answers
     *         (400/414/431 of the codec, 500) and the actuator's empty 404s; the gateway's handlers
     *         always send a typed body
     */
    private static boolean isBareError(FullHttpResponse response) {
        return response.status().code() >= 400 && !response.content().isReadable()
                && !response.headers().contains(HttpHeaderNames.CONTENT_TYPE);
    }

    private int bareErrorStatus(int status) {
        if (decodeFailure instanceof TooLongHttpLineException) {
            return 414;
        }
        if (decodeFailure instanceof TooLongHttpHeaderException) {
            return 431;
        }
        return status;
    }
}
