package io.llmproxy.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * TCP ports for tests: free when asked for, and below the kernel's ephemeral range.
 *
 * <p>{@code new ServerSocket(0)} hands out a port from the ephemeral range
 * ({@code /proc/sys/net/ipv4/ip_local_port_range}, 32768–60999 by default), the same range the
 * kernel takes source ports of outbound connections from. A test that picks such a port and binds
 * it later (a process started minutes after, as the console test's {@code vite preview}) can find it
 * taken by any connection on the machine; a test that connects to such a port where nothing listens
 * can connect to itself (TCP self-connect), and then talks to its own request. A port below the
 * range has neither problem: only an explicit listener can take it.
 *
 * <p>Ports are drawn at random from {@value #LOW} up to the range's start, checked free by binding the
 * wildcard address, and never handed out twice in one JVM.
 */
public final class FreePorts {

    static final int LOW = 20_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /**
     * @return a port nothing listens on now, below the ephemeral range, not returned before in this JVM
     * @throws IOException when 200 draws found no free port (or binding a probe failed otherwise)
     */
    public static int next() throws IOException {
        int high = ephemeralLow() - 1;
        if (high - LOW < 1_000) {
            // an unusual range leaves no room below it: the kernel's choice, as before
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            }
        }
        for (int i = 0; i < 200; i++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, high + 1);
            if (HANDED_OUT.contains(port) || !bindable(port)) {
                continue;
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IOException("no free TCP port found in " + LOW + "-" + high);
    }

    /** @return the first port of the kernel's ephemeral range (32768 when it cannot be read) */
    static int ephemeralLow() {
        // read as a stream: procfs reports size 0, and Files.readString then returns only the first byte
        try (var in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            String range = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
