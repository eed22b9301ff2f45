package io.llmproxy.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The local side of {@link TestServices#keycloak()}: the test instance of
 * {@code infra/keycloak/start-keycloak.sh --test}. {@code infra/local/test.sh} starts it before
 * Maven (and stops it after); a test run alone (e.g. from an IDE) starts it here through the script
 * and leaves it running for the next run.
 *
 * <p>Where: {@code http://127.0.0.1:<LLMPROXY_TEST_KEYCLOAK_PORT, 8180>}; tokens carry the issuer
 * {@code http://localhost:<port>/realms/<realm>} (the server's fixed hostname). Its master realm
 * administrator is {@code admin}, with the password of
 * {@code <LLMPROXY_TEST_KEYCLOAK_STATE_DIR, infra/local/.state/test-keycloak>/keycloak/bootstrap-admin-password}
 * or {@code LLMPROXY_TEST_KEYCLOAK_ADMIN_PASSWORD}.
 */
final class LocalKeycloak {

    private LocalKeycloak() {
    }

    /**
     * @return the running test instance (started through the script when nothing answers)
     * @throws IllegalStateException when it cannot be started (with the script's advice on stderr) or
     *                               its admin password cannot be read
     */
    static TestServices.Keycloak endpoint() {
        int port = Integer.parseInt(TestServices.env("LLMPROXY_TEST_KEYCLOAK_PORT", "8180"));
        Path root = repositoryRoot();
        if (!answers(port)) {
            start(root);
        }
        return new TestServices.Keycloak("http://127.0.0.1:" + port, "http://localhost:" + port, "admin", adminPassword(root));
    }

    private static boolean answers(int port) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/realms/master"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void start(Path root) {
        Path script = root.resolve("infra/keycloak/start-keycloak.sh");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "--test", "start")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT);
        try {
            Process process = pb.start();
            if (!process.waitFor(420, TimeUnit.SECONDS)) {
                process.destroy();
                throw new IllegalStateException(script + " --test did not finish within 420 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(script + " --test failed (exit " + process.exitValue() + ", see above)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String adminPassword(Path root) {
        String fromEnv = System.getenv("LLMPROXY_TEST_KEYCLOAK_ADMIN_PASSWORD");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.strip();
        }
        String stateDir = TestServices.env("LLMPROXY_TEST_KEYCLOAK_STATE_DIR", root.resolve("infra/local/.state/test-keycloak").toString());
        Path file = Path.of(stateDir, "keycloak", "bootstrap-admin-password");
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException("the test Keycloak answers, but its admin password file " + file
                    + " cannot be read (a server started by another checkout? set LLMPROXY_TEST_KEYCLOAK_ADMIN_PASSWORD)", e);
        }
    }

    /** The checkout holding infra/keycloak/start-keycloak.sh, from the working directory upwards. */
    private static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("infra/keycloak/start-keycloak.sh"))) {
                return d;
            }
        }
        throw new IllegalStateException("infra/keycloak/start-keycloak.sh not found above " + dir);
    }
}
