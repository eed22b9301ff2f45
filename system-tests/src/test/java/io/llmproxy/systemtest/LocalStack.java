package io.llmproxy.systemtest;

import io.llmproxy.testsupport.FreePorts;
import io.llmproxy.testsupport.TestServices;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Starts the built applications (their {@code *-exec.jar}s) as separate processes, the way
 * {@code infra/local/up.sh} does, and waits for each one's health to be UP. Logs go to
 * {@code system-tests/target/e2e-logs/<name>.log}.
 */
final class LocalStack implements AutoCloseable {

    private final Path root = Path.of("..").toAbsolutePath().normalize();
    private final Path logs = Path.of("target", "e2e-logs").toAbsolutePath();
    private final List<Process> processes = new ArrayList<>();
    private final Map<String, Process> byName = new java.util.HashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    static int freePort() throws IOException {
        return FreePorts.next();
    }

    /**
     * @param module module directory relative to the repository root, e.g. {@code command-side}
     * @param env    environment variables for the process (on top of this JVM's)
     * @return seconds until healthy
     */
    double start(String name, String module, int port, Map<String, String> env) throws Exception {
        Files.createDirectories(logs);
        Path jar;
        try (Stream<Path> files = Files.list(root.resolve(module).resolve("target"))) {
            jar = files.filter(p -> p.getFileName().toString().endsWith("-exec.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no *-exec.jar in " + module + "/target: build first"));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-Daxoniq.update-checker.disabled=true", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".log").toFile()))
                .directory(new File(System.getProperty("java.io.tmpdir")));
        // Redis from TestServices (a container where Docker answers, else the local one), unless the caller chose one
        TestServices.Redis redis = TestServices.redis();
        builder.environment().put("LLMPROXY_REDIS_HOST", redis.host());
        builder.environment().put("LLMPROXY_REDIS_PORT", Integer.toString(redis.port()));
        builder.environment().putAll(env);
        if (!env.containsKey("LLMPROXY_USAGE_BUFFER_DIR")) {
            // one durable usage buffer per edge process and run (ADR 0006): never one left by an earlier run
            builder.environment().put("LLMPROXY_USAGE_BUFFER_DIR",
                    Path.of("target", "e2e-usage-buffer", name + "-" + UUID.randomUUID()).toAbsolutePath().toString());
        }
        builder.environment().put("SERVER_PORT", Integer.toString(port));
        builder.environment().put("AXONIQ_UPDATE_CHECKER_DISABLED", "true");
        long t0 = System.nanoTime();
        Process process = builder.start();
        processes.add(process);
        byName.put(name, process);
        long deadline = System.currentTimeMillis() + 180_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + logs.resolve(name + ".log")
                        + "\n" + tail(name));
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/actuator/health")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
                    return (System.nanoTime() - t0) / 1e9;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " not healthy after 180 s\n" + tail(name));
    }

    /**
     * Kills the process started as {@code name} without letting it shut down (SIGKILL: a crash),
     * and waits until it is gone.
     */
    void kill(String name) throws InterruptedException {
        Process p = byName.remove(name);
        p.destroyForcibly();
        p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
        processes.remove(p);
    }

    String tail(String name) {
        try {
            List<String> lines = Files.readAllLines(logs.resolve(name + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        processes.forEach(Process::destroy);
        for (Process p : processes) {
            try {
                if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
