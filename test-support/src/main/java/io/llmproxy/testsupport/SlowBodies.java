package io.llmproxy.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Clients that announce a request body and then send it very slowly (the "slow POST" of a slowloris
 * attack): each opens a connection, sends {@code POST path HTTP/1.1} with its headers and a
 * {@code Content-Length}, then one byte of the body, and sends nothing more until {@link #close()}.
 * A server that gives each such connection a thread until the body is complete (to read it, or to
 * swallow it after an early 401) runs out of threads; one that does not keeps serving everyone else.
 */
public final class SlowBodies implements AutoCloseable {

    /**
     * One kind of slow body.
     *
     * @param name          for the test's name
     * @param contentLength the announced body size in bytes
     * @param headers       extra header lines ({@code "Name: value"}), e.g. the bearer token
     */
    public record Kind(String name, long contentLength, String... headers) {

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The kinds every admin app is tested with: a body announced far over Tomcat's swallow limit and
     * one under it, both without a token (answered 401 before the body is read), and one under it
     * with {@code authorization} (a handler waits to read it).
     *
     * @param authorization a valid {@code Authorization: Bearer ...} header line
     */
    public static List<Kind> kinds(String authorization) {
        return List.of(new Kind("no token, 1 MB announced", 1_000_000), new Kind("no token, 4 KB announced", 4_000),
                new Kind("with the token, 4 KB announced", 4_000, authorization));
    }

    private final List<Socket> sockets = new ArrayList<>();

    private SlowBodies() {
    }

    /**
     * Opens {@code count} connections to 127.0.0.1:{@code port}, each sending the head of
     * {@code POST path} with {@code kind}'s headers and {@code Content-Length}, and the body's first byte.
     *
     * @throws IOException when a connection cannot be opened or written (the ones opened are closed)
     */
    public static SlowBodies open(int port, String path, Kind kind, int count) throws IOException {
        SlowBodies slow = new SlowBodies();
        try {
            for (int i = 0; i < count; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                slow.sockets.add(socket);
                StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:")
                        .append(port).append("\r\nContent-Type: application/json\r\nContent-Length: ")
                        .append(kind.contentLength()).append("\r\n");
                for (String header : kind.headers()) {
                    head.append(header).append("\r\n");
                }
                head.append("\r\n{");
                OutputStream out = socket.getOutputStream();
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException e) {
            slow.close();
            throw e;
        }
        return slow;
    }

    /** @return how many of the connections are still open from this side */
    public int size() {
        return sockets.size();
    }

    @Override
    public void close() {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        sockets.clear();
    }
}
