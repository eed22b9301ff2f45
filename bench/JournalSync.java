import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What a preallocated journal segment saves per sync (issue #16, ADR 0006 "preallocated segments"):
 * 480-byte records (a usage event's size), each followed by {@code fdatasync} ({@code force(false)}),
 * into a file that grows with each record versus one extended with zeros beforehand, as the edge's
 * journal now does. Prints CPU µs (this thread, kernel time included) and wall µs per sync, alternating
 * the two modes. Run from the repository root, on the disk the journal will use:
 * {@code java bench/JournalSync.java [dir] [syncs per run]} (defaults: the system temp dir, 3000).
 */
public class JournalSync {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 4; round++) {
            for (String mode : new String[] {"grow", "preallocated"}) {
                Path file = Files.createTempFile(dir, "journal-sync-", ".seg");
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    if (mode.equals("preallocated")) {
                        ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
                        for (long at = 0; at < (long) n * 480 + (1 << 20); at += 1 << 20) {
                            zeros.clear();
                            channel.write(zeros, at);
                        }
                        channel.force(true);
                    }
                    ByteBuffer record = ByteBuffer.allocate(480);
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    long wall0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        record.clear();
                        channel.write(record, (long) i * 480);
                        channel.force(false);
                    }
                    double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / n;
                    double wall = (System.nanoTime() - wall0) / 1e3 / n;
                    System.out.printf("%-12s cpu %6.1f µs/sync   wall %6.1f µs/sync%n", mode, cpu, wall);
                } finally {
                    Files.deleteIfExists(file);
                }
            }
        }
    }
}
