import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of the pipeline's processes read from /proc (Linux), for {@link Pipeline}: utime + stime
 * in clock ticks ({@code getconf CLK_TCK}, usually 100 a second) of the named processes and of
 * PostgreSQL's, split by database. Sources: proc(5) for {@code /proc/PID/stat} fields 14 and 15, and
 * PostgreSQL's process titles ({@code update_process_title}).
 */
final class ProcCpu {

    private ProcCpu() {
    }

    /** Titles of PostgreSQL's own processes (shared by every database). */
    static final List<String> BACKGROUND = List.of("walwriter", "checkpointer", "background writer",
            "autovacuum launcher", "logical replication launcher", "archiver", "stats collector");

    /**
     * CPU ticks now, per process: {@code NAME} for each cpu.NAME=PID (-1 when unknown), and
     * {@code pg/PID}, {@code pg_bg/PID} and {@code pg_all/PID} for the processes of pg_db (backends,
     * autovacuum workers), PostgreSQL's own processes (postmaster, WAL writer, checkpointer, ...) and
     * every postgres process.
     */
    static Map<String, Long> cpu(Map<String, String> a) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        a.forEach((k, v) -> {
            if (k.startsWith("cpu.")) {
                out.put(k.substring(4), v.isEmpty() ? -1 : ticks(Path.of("/proc", v)));
            }
        });
        String db = a.get("pg_db");
        if (db == null || db.isEmpty()) {
            return out;
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                String cmd;
                try {
                    cmd = new String(Files.readAllBytes(proc.resolve("cmdline"))).replace('\0', ' ');
                } catch (Exception gone) {
                    continue;
                }
                if (!cmd.startsWith("postgres") && !cmd.contains("bin/postgres")) {
                    continue;
                }
                long t = ticks(proc);
                if (t < 0) {
                    continue;
                }
                String pid = proc.getFileName().toString();
                out.put("pg_all/" + pid, t);
                // titles: "postgres: [15/main: ]postgres <db> 127.0.0.1(port) idle", "... autovacuum worker <db>",
                // "... walwriter"; the postmaster is ".../bin/postgres -D ..."
                List<String> words = List.of(cmd.trim().split(" +"));
                if (words.get(0).equals("postgres:") && words.contains(db)) {
                    out.put("pg/" + pid, t);
                } else if (!words.get(0).equals("postgres:") || BACKGROUND.stream().anyMatch(cmd::contains)) {
                    out.put("pg_bg/" + pid, t);
                }
            }
        }
        return out;
    }

    /**
     * CPU ticks spent between two {@link #cpu} readings, per name (pg and pg_all summed over their
     * processes: one that started meanwhile counts from 0, one that ended meanwhile is lost); -1 when unknown.
     */
    static Map<String, Long> cpuDelta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new LinkedHashMap<>();
        after.forEach((k, t) -> {
            int slash = k.indexOf('/');
            if (slash < 0) {
                Long b = before.get(k);
                out.put(k, b == null || b < 0 || t < 0 ? -1 : t - b);
            } else {
                out.merge(k.substring(0, slash), Math.max(0, t - before.getOrDefault(k, 0L)), Long::sum);
            }
        });
        return out;
    }

    /** utime + stime of the process at {@code proc} (/proc/PID), in clock ticks, or -1. */
    static long ticks(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return -1;
        }
    }
}
