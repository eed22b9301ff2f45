package io.llmproxy.edge.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder a test controls, to make a shared service (PostgreSQL) look down to the app under
 * test without touching the service: until {@link #start()} nothing listens on {@link #port()}
 * (connections are refused); after it, every connection is piped to the target.
 */
public final class TcpForwarder implements AutoCloseable {

    private final int port;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;

    /** Reserves a free local port; nothing listens on it yet. */
    public TcpForwarder(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        try {
            this.port = io.llmproxy.testsupport.FreePorts.next(); // below the ephemeral range: no self-connect while down
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** Starts listening on {@link #port()} and forwarding each connection. */
    public synchronized void start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
        server = s;
        Thread.ofPlatform().daemon().name("tcp-forwarder-" + port).start(() -> {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    Socket upstream = new Socket(targetHost, targetPort);
                    sockets.add(client);
                    sockets.add(upstream);
                    pipe(client, upstream);
                    pipe(upstream, client);
                } catch (IOException e) {
                    // closed, or the target refused: the client's connection drops
                }
            }
        });
    }

    private static void pipe(Socket from, Socket to) {
        Thread.ofPlatform().daemon().start(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public synchronized void close() {
        ServerSocket s = server;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }
        sockets.forEach(TcpForwarder::closeQuietly);
    }
}
