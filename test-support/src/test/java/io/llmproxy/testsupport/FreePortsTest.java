package io.llmproxy.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void theEphemeralRangeIsReadWhole() throws Exception {
        // procfs reports size 0: a reader that trusts the size gets "3" of "32768\t60999"
        String range = new String(Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).readAllBytes()).trim();
        assertThat(FreePorts.ephemeralLow()).isEqualTo(Integer.parseInt(range.split("\\s+")[0])).isGreaterThan(1024);
    }

    @Test
    void portsAreBelowTheEphemeralRangeDistinctAndBindable() throws Exception {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.next();
            assertThat(port).isBetween(FreePorts.LOW, FreePorts.ephemeralLow() - 1);
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        }
        int port = FreePorts.next();
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }
}
