package io.llmproxy.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.testsupport.KeycloakTestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line up.sh runs, against the real test Keycloak: it generates and keeps the secrets
 * (0600), provisions, says what it did, and never prints a secret, nor lets one reach a log.
 */
class ProvisionRealmCliTest {

    private static KeycloakTestServer server;
    private static final List<String> realms = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void server() {
        server = KeycloakTestServer.get();
    }

    @AfterAll
    static void deleteRealms() {
        realms.forEach(r -> TestRealms.delete(server, r));
    }

    @Test
    void provisionsKeepsTheSecretsInFilesAndNeverPrintsThem() throws IOException {
        String realm = fresh();
        Path state = dir.resolve("state");
        Path adminPasswordFile = adminPasswordFile();

        Run first = run(Map.of(), "--server-url", server.baseUrl(), "--admin-password-file", adminPasswordFile.toString(),
                "--state-dir", state.toString(), "--realm", realm);

        assertThat(first.status).isZero();
        Path passwordFile = state.resolve("platform-admin-password");
        Path secretFile = state.resolve("automation-client-secret");
        assertThat(first.output).contains(
                "[identity] generated platform-admin-password, kept in " + passwordFile,
                "[identity] generated automation-client-secret, kept in " + secretFile,
                "[identity] realm " + realm + ": created",
                "[identity] user platform-admin: created (with its password)",
                "[identity] realm " + realm + " at " + server.baseUrl() + ": 14 change(s)");
        for (Path file : List.of(passwordFile, secretFile)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        String adminPassword = Files.readString(passwordFile).strip();
        String automationSecret = Files.readString(secretFile).strip();
        assertThat(adminPassword).hasSize(32);
        assertThat(automationSecret).hasSize(32).isNotEqualTo(adminPassword);
        assertThat(first.output).doesNotContain(adminPassword, automationSecret, server.adminPassword());

        // the secrets in the files are the realm's
        assertThat(RealmProvisionerTest.audience(
                server.clientCredentials(realm, "llmproxy-automation", automationSecret).claims())).contains("llmproxy-api");
        server.ensureTestClient(realm);
        assertThat(server.passwordGrant(realm, KeycloakTestServer.TEST_CLIENT, "platform-admin", adminPassword)
                .claims().get("preferred_username")).isEqualTo("platform-admin");

        Run second = run(Map.of(), "--server-url", server.baseUrl(), "--admin-password-file", adminPasswordFile.toString(),
                "--state-dir", state.toString(), "--realm", realm);

        assertThat(second.status).isZero();
        assertThat(second.output).isEqualTo("[identity] realm " + realm + " at " + server.baseUrl() + ": already up to date\n");
        assertThat(Files.readString(passwordFile).strip()).isEqualTo(adminPassword);
    }

    @Test
    void platformAdministratorNameFromTheEnvironmentLowerCased() throws IOException {
        String realm = fresh();
        Run run = run(Map.of("LLMPROXY_PLATFORM_ADMIN_USER", "Ops-Admin", "LLMPROXY_KEYCLOAK_URL", server.baseUrl(),
                        "LLMPROXY_KEYCLOAK_ADMIN_PASSWORD_FILE", adminPasswordFile().toString(),
                        "LLMPROXY_KEYCLOAK_STATE_DIR", dir.resolve("s").toString(), "LLMPROXY_UI_PORT", "3300"),
                "--realm", realm);

        assertThat(run.status).isZero();
        assertThat(run.output).contains("[identity] user ops-admin: created (with its password)");
        var admin = server.admin().realm(realm).users().searchByUsername("ops-admin", true).get(0);
        assertThat(admin.getEmail()).isEqualTo("ops-admin@llmproxy.local");
        assertThat(server.admin().realm(realm).clients().findByClientId("llmproxy-admin-ui").get(0).getWebOrigins())
                .containsExactlyInAnyOrder("http://localhost:3300", "http://127.0.0.1:3300");
    }

    @Test
    void keycloakNotAnsweringExitsOneAndSaysWhere() throws IOException {
        Run run = run(Map.of(), "--server-url", "http://127.0.0.1:1", "--admin-password-file",
                adminPasswordFile().toString(), "--state-dir", dir.resolve("s").toString());

        assertThat(run.status).isEqualTo(1);
        assertThat(run.output).contains("[identity] cannot reach Keycloak at http://127.0.0.1:1: ");
        assertThat(run.output).doesNotContain(server.adminPassword());
    }

    @Test
    void wrongAdminPasswordExitsOneWithoutEchoingIt() throws IOException {
        Path wrong = Files.writeString(dir.resolve("wrong"), "Not-the-password-42\n");
        Run run = run(Map.of(), "--server-url", server.baseUrl(), "--admin-password-file", wrong.toString(),
                "--state-dir", dir.resolve("s").toString(), "--realm", "never-created");

        assertThat(run.status).isEqualTo(1);
        assertThat(run.output).contains("[identity] Keycloak refused the sign-in of admin to the master realm: HTTP 40");
        assertThat(run.output).doesNotContain("Not-the-password-42");
    }

    @Test
    void badArgumentsExitTwo() {
        assertThat(run(Map.of(), "--no-such-option", "x").status).isEqualTo(2);
        assertThat(run(Map.of(), "--server-url", server.baseUrl()).output)
                .contains("--admin-password-file and --state-dir are required");
    }

    private static String fresh() {
        String realm = TestRealms.freshName();
        realms.add(realm);
        return realm;
    }

    private Path adminPasswordFile() throws IOException {
        Path file = dir.resolve("bootstrap-admin-password");
        if (!Files.exists(file)) {
            Files.writeString(file, server.adminPassword() + "\n");
        }
        return file;
    }

    private record Run(int status, String output) {
    }

    /** Runs the command with its streams and the JVM's (where a library would log) captured together. */
    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(captured, true, StandardCharsets.UTF_8);
        PrintStream out = System.out;
        PrintStream err = System.err;
        System.setOut(both);
        System.setErr(both);
        int status;
        try {
            status = ProvisionRealmCli.run(args, env::get, both, both);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        out.print(output);
        return new Run(status, output);
    }
}
