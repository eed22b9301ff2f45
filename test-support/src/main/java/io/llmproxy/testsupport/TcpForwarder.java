package io.llmproxy.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder a test controls, to put between an app and a shared service (PostgreSQL)
 * and simulate the service going away without touching it: {@link #stop()} closes the listening
 * port and every connection (the service is "down": connects are refused), {@link #dropConnections()}
 * closes the open connections only (a dropped pooled connection), {@link #start()} listens again
 * on the same port.
 */
public final class TcpForwarder implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private int port;

    /** Listens on a free local port (see {@link #port()}) and forwards to {@code targetHost:targetPort}. */
    public TcpForwarder(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.port = FreePorts.next(); // below the ephemeral range: free to listen again, no self-connect while down
        start();
    }

    /** @return the local port clients connect to */
    public int port() {
        return port;
    }

    /** Listens (again) on {@link #port()}; no-op when listening. */
    public synchronized void start() throws IOException {
        if (server != null) {
            return;
        }
        ServerSocket listening = new ServerSocket();
        listening.setReuseAddress(true);
        listening.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        port = listening.getLocalPort();
        server = listening;
        Thread.ofVirtual().name("tcp-forwarder-accept-" + port).start(() -> accept(listening));
    }

    /** Stops listening and closes every connection: connects to {@link #port()} are refused. */
    public synchronized void stop() {
        ServerSocket listening = server;
        server = null;
        if (listening != null) {
            try {
                listening.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        dropConnections();
    }

    /** Closes every open connection (both sides) but keeps listening. */
    public void dropConnections() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        sockets.clear();
    }

    @Override
    public void close() {
        stop();
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                Socket upstream;
                try {
                    upstream = new Socket(targetHost, targetPort);
                } catch (IOException refused) {
                    client.close();
                    continue;
                }
                sockets.add(client);
                sockets.add(upstream);
                if (listening.isClosed()) {
                    // stop() ran while this connection was being set up: it must not outlive it
                    // (stop closes the listener before it drops the connections, so one of the two sees it)
                    client.close();
                    upstream.close();
                    sockets.remove(client);
                    sockets.remove(upstream);
                    continue;
                }
                Thread.ofVirtual().start(() -> pipe(client, upstream));
                Thread.ofVirtual().start(() -> pipe(upstream, client));
            } catch (IOException e) {
                // closed by stop(), or the target refused: the client sees its connection closed
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // already closed
            }
            sockets.remove(from);
            sockets.remove(to);
        }
    }
}
