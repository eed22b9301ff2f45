package io.llmproxy.identity;

import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;

/**
 * Command line: provisions the realm on a running Keycloak (infra/local/up.sh runs it).
 *
 * <pre>
 * java -cp 'identity/target/identity-*.jar:identity/target/lib/*' io.llmproxy.identity.ProvisionRealmCli \
 *   --server-url http://localhost:8080 --admin-password-file &lt;file&gt; --state-dir &lt;dir&gt;
 * </pre>
 *
 * Options (environment variable in brackets, then default):
 * <ul>
 *   <li>{@code --server-url} [LLMPROXY_KEYCLOAK_URL] {@code http://localhost:8080}</li>
 *   <li>{@code --admin-user} [LLMPROXY_KEYCLOAK_ADMIN_USER] {@code admin}: a master realm administrator</li>
 *   <li>{@code --admin-password-file} [LLMPROXY_KEYCLOAK_ADMIN_PASSWORD_FILE], required: holds its password</li>
 *   <li>{@code --state-dir} [LLMPROXY_KEYCLOAK_STATE_DIR], required: where {@code platform-admin-password} and
 *       {@code automation-client-secret} are kept (generated once, mode 0600)</li>
 *   <li>{@code --realm} {@code llmproxy}; {@code --ui-port} [LLMPROXY_UI_PORT] {@code 3000};
 *       {@code --platform-admin-user} [LLMPROXY_PLATFORM_ADMIN_USER] {@code platform-admin}
 *       (email {@code <user>@llmproxy.local})</li>
 * </ul>
 * Prints one line per change (names only, never a secret) and the files holding the secrets.
 * Exit status: 0 done, 1 Keycloak refused or could not be reached, 2 bad arguments.
 */
public final class ProvisionRealmCli {

    static final String ADMIN_PASSWORD_FILE = "platform-admin-password";
    static final String AUTOMATION_SECRET_FILE = "automation-client-secret";

    private ProvisionRealmCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv()::get, System.out, System.err));
    }

    /** Runs the command; {@code env} reads environment variables. @return the exit status */
    static int run(String[] args, Function<String, String> env, PrintStream out, PrintStream err) {
        Map<String, String> options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("[identity] " + e.getMessage());
            return 2;
        }
        String serverUrl = option(options, "server-url", env, "LLMPROXY_KEYCLOAK_URL", "http://localhost:8080");
        String adminUser = option(options, "admin-user", env, "LLMPROXY_KEYCLOAK_ADMIN_USER", "admin");
        String adminPasswordFile = option(options, "admin-password-file", env, "LLMPROXY_KEYCLOAK_ADMIN_PASSWORD_FILE", null);
        String stateDir = option(options, "state-dir", env, "LLMPROXY_KEYCLOAK_STATE_DIR", null);
        String realm = option(options, "realm", env, "LLMPROXY_KEYCLOAK_REALM", LlmproxyRealm.REALM);
        String uiPort = option(options, "ui-port", env, "LLMPROXY_UI_PORT", "3000");
        String platformAdmin = option(options, "platform-admin-user", env, "LLMPROXY_PLATFORM_ADMIN_USER", "platform-admin")
                .toLowerCase(java.util.Locale.ROOT);
        if (adminPasswordFile == null || stateDir == null) {
            err.println("[identity] --admin-password-file and --state-dir are required (see the class's docs)");
            return 2;
        }
        int port;
        try {
            port = Integer.parseInt(uiPort);
        } catch (NumberFormatException e) {
            err.println("[identity] --ui-port: not a number: " + uiPort);
            return 2;
        }
        SecretFile adminPassword = SecretFile.readOrGenerate(Path.of(stateDir, ADMIN_PASSWORD_FILE));
        SecretFile automationSecret = SecretFile.readOrGenerate(Path.of(stateDir, AUTOMATION_SECRET_FILE));
        String email = platformAdmin.contains("@") ? platformAdmin : platformAdmin + "@llmproxy.local";
        RealmSpec spec = RealmSpec.llmproxy(port, automationSecret.value(),
                new RealmSpec.AdminUser(platformAdmin, email, adminPassword.value())).withRealm(realm);
        for (SecretFile generated : new SecretFile[] {adminPassword, automationSecret}) {
            if (generated.generated()) {
                out.println("[identity] generated " + generated.path().getFileName() + ", kept in " + generated.path());
            }
        }
        try (Keycloak keycloak = KeycloakBuilder.builder()
                .serverUrl(serverUrl)
                .realm("master")
                .clientId("admin-cli")
                .username(adminUser)
                .password(SecretFile.read(Path.of(adminPasswordFile)))
                .build()) {
            ProvisioningReport report = new RealmProvisioner(keycloak).provision(spec);
            for (String change : report.changes()) {
                out.println("[identity] " + change);
            }
            out.println("[identity] realm " + realm + " at " + serverUrl + ": "
                    + (report.changed() ? report.changes().size() + " change(s)" : "already up to date"));
            return 0;
        } catch (WebApplicationException e) {
            err.println("[identity] Keycloak refused a call: HTTP " + e.getResponse().getStatus()
                    + " (" + e.getMessage() + ")");
            return 1;
        } catch (ProcessingException e) {
            // The admin client's sign-in (a token request) fails as a ProcessingException around the refusal.
            if (e.getCause() instanceof WebApplicationException refused) {
                err.println("[identity] Keycloak refused the sign-in of " + adminUser + " to the master realm: HTTP "
                        + refused.getResponse().getStatus() + " (check --admin-user and --admin-password-file)");
            } else {
                err.println("[identity] cannot reach Keycloak at " + serverUrl + ": " + rootMessage(e));
            }
            return 1;
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            if (!java.util.Set.of("server-url", "admin-user", "admin-password-file", "state-dir", "realm", "ui-port",
                    "platform-admin-user").contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
            options.put(name, value);
        }
        return options;
    }

    private static String option(Map<String, String> options, String name, Function<String, String> env,
            String envName, String fallback) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            value = env.apply(envName);
        }
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
