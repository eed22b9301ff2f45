import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.URI;
import java.util.ArrayDeque;

/**
 * The bench's JVM floor (issue #16, {@code peers} scenario, target {@code netty}): the least a Java
 * gateway on Netty does to forward a non-streamed call, so that what the edge spends per call can be
 * read against what the JVM and Netty alone spend on this machine (HAProxy, the {@code floor} target,
 * is the same against a lean C proxy).
 *
 * <p>It parses each request and answer with Netty's HTTP codec and aggregator (both sides kept alive,
 * up to 16 MiB a body), copies the body, {@code Content-Type} and {@code Authorization} to the
 * upstream, and sends the upstream's status, {@code Content-Type} and body back. Upstream connections
 * are pooled per event loop (a call's provider connection lives on its client connection's loop, as
 * the edge does: {@code Call.eventLoop()}), on Netty's native epoll transport when it loads, else NIO.
 * It does nothing else: no authentication, routing, translation, quota, usage event, metrics or logs.
 * A failed upstream connection or a connection closed before its answer gives a 502 with no body.
 *
 * <p>Usage: {@code java -cp <netty jars>:<classes> NettyFloor PORT UPSTREAM_URL [THREADS]}, e.g.
 * {@code NettyFloor 8789 http://127.0.0.1:5100 2}; it binds 127.0.0.1 and prints one line once
 * listening. THREADS (event loops) defaults to the number of processors.
 */
public final class NettyFloor {

    private static final int MAX_BODY = 16 * 1024 * 1024;
    private static final AttributeKey<Owed> OWED = AttributeKey.valueOf("owed");
    /** Idle upstream connections of the current event loop (a loop's thread is the only user). */
    private static final FastThreadLocal<ArrayDeque<Channel>> IDLE = new FastThreadLocal<>() {
        @Override
        protected ArrayDeque<Channel> initialValue() {
            return new ArrayDeque<>();
        }
    };

    /** The client connection an upstream connection's answer goes to, and whether it stays open. */
    private record Owed(ChannelHandlerContext client, boolean keepAlive) {
    }

    private NettyFloor() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: NettyFloor PORT UPSTREAM_URL [THREADS]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        URI upstream = URI.create(args[1]);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(threads, io);
        Bootstrap client = new Bootstrap()
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .remoteAddress(upstream.getHost(), upstream.getPort())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_BODY), new Answer());
                    }
                });
        String host = upstream.getHost() + ":" + upstream.getPort();
        Class<? extends ServerChannel> serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Channel server = new ServerBootstrap().group(loops).channel(serverChannel)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY), new Forward(client, host));
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        System.out.println("NettyFloor listening on 127.0.0.1:" + port + " -> " + upstream + " (" + (epoll ? "epoll" : "nio")
                + ", " + threads + " event loops)");
        server.closeFuture().sync();
    }

    /** A client request: sent on an idle upstream connection of this loop, or on a new one. */
    private static final class Forward extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Bootstrap client;
        private final String host;

        Forward(Bootstrap client, String host) {
            this.client = client;
            this.host = host;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(),
                    request.content().retain());
            out.headers().set(HttpHeaderNames.HOST, host);
            copy(request, out, HttpHeaderNames.CONTENT_TYPE);
            copy(request, out, HttpHeaderNames.AUTHORIZATION);
            HttpUtil.setContentLength(out, out.content().readableBytes());
            Owed owed = new Owed(ctx, HttpUtil.isKeepAlive(request));
            ArrayDeque<Channel> idle = IDLE.get();
            Channel ch;
            while ((ch = idle.pollLast()) != null) {
                if (ch.isActive()) {
                    send(ch, owed, out);
                    return;
                }
            }
            client.clone(ctx.channel().eventLoop()).connect().addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    send(f.channel(), owed, out);
                } else {
                    out.release();
                    badGateway(owed);
                }
            });
        }

        private static void copy(FullHttpRequest from, FullHttpRequest to, CharSequence name) {
            String value = from.headers().get(name);
            if (value != null) {
                to.headers().set(name, value);
            }
        }

        private static void send(Channel upstream, Owed owed, FullHttpRequest out) {
            upstream.attr(OWED).set(owed);
            upstream.writeAndFlush(out);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** An upstream answer: back to its client, and the connection back to this loop's idle ones. */
    private static final class Answer extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse answer) {
            Owed owed = ctx.channel().attr(OWED).getAndSet(null);
            if (owed == null) {
                ctx.close();
                return;
            }
            FullHttpResponse back = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer.status(), answer.content().retain());
            String type = answer.headers().get(HttpHeaderNames.CONTENT_TYPE);
            if (type != null) {
                back.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            }
            HttpUtil.setContentLength(back, back.content().readableBytes());
            if (HttpUtil.isKeepAlive(answer)) {
                IDLE.get().addLast(ctx.channel());
            } else {
                ctx.close();
            }
            reply(owed, back);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Owed owed = ctx.channel().attr(OWED).getAndSet(null);
            if (owed != null) {
                badGateway(owed);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static void badGateway(Owed owed) {
        FullHttpResponse back = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY);
        HttpUtil.setContentLength(back, 0);
        reply(owed, back);
    }

    private static void reply(Owed owed, FullHttpResponse back) {
        if (owed.keepAlive()) {
            back.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            owed.client().writeAndFlush(back);
        } else {
            owed.client().writeAndFlush(back).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
