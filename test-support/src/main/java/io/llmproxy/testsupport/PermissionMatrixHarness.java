package io.llmproxy.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The permission matrix of issue #10 as a test table: {@code permission-matrix.psv} (this module's
 * resources, the same table the README shows, written by hand and independently of the code that
 * enforces it) × six callers (one per role, and a valid token with no role) × own tenant / other
 * tenant. The harness creates the callers in a Keycloak realm the test provisioned, seeds their
 * role assignments and two API keys in the read model, and sends each case over HTTP.
 *
 * <p>Callers: {@code PlatformAdmin} at platform scope; {@code TenantAdmin} and {@code Developer} as
 * users of the own tenant (source {@code user}, with user ids), {@code FinanceReader} and
 * {@code Auditor} as explicit assignments there; {@code none} has none. The other tenant is a
 * tenant where nobody holds a role.
 */
public final class PermissionMatrixHarness {

    /** The callers, in the order cases are generated. */
    public static final List<String> CALLERS = List.of("PlatformAdmin", "TenantAdmin", "Developer", "FinanceReader",
            "Auditor", "none");

    /** One row of the table. */
    public record Row(String method, String path, String variant, Set<String> allowedAtOwnTenant) {
        /** @return the controller's pattern: the path without its query */
        public String pattern() {
            int q = path.indexOf('?');
            return q < 0 ? path : path.substring(0, q);
        }

        boolean tenantScoped() {
            return path.contains("{tenantId}");
        }
    }

    /** One request: a row, a caller, and whether it acts on the caller's own tenant. */
    public record Case(Row row, String caller, boolean ownTenant) {
        /** @return true when the table says this call passes authorisation */
        public boolean allowed() {
            if (caller.equals("PlatformAdmin")) {
                return true;
            }
            if (caller.equals("none") || (row.tenantScoped() && !ownTenant)) {
                return false;
            }
            return row.allowedAtOwnTenant().contains(caller);
        }

        @Override
        public String toString() {
            return row.method() + " " + row.path() + (row.variant().equals("-") ? "" : " [" + row.variant() + "'s]")
                    + " as " + caller + (row.tenantScoped() ? ownTenant ? " at its tenant" : " at another tenant" : "");
        }
    }

    private final String realm;
    private final String password = "Pw-" + UUID.randomUUID();
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String ownTenant = "t-own-" + suffix;
    private final String otherTenant = "t-other-" + suffix;
    private final Map<String, String> tokens = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    /** @param realm a realm the test has provisioned (audience and the test client included) */
    public PermissionMatrixHarness(String realm) {
        this.realm = realm;
    }

    /** @return the table, read from {@code permission-matrix.psv} */
    public static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        try (var in = PermissionMatrixHarness.class.getResourceAsStream("/permission-matrix.psv");
             var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = Arrays.stream(line.split("\\|")).map(String::strip).toArray(String[]::new);
                Set<String> roles = f[3].equals("-") ? Set.of() : Set.of(f[3].split("\\s+"));
                rows.add(new Row(f[0], f[1], f[2], roles));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    /** @return every case of the rows whose pattern is in {@code patterns} ("METHOD /pattern") */
    public static List<Case> cases(Set<String> patterns) {
        List<Case> cases = new ArrayList<>();
        for (Row row : rows()) {
            if (!patterns.contains(row.method() + " " + row.pattern())) {
                continue;
            }
            for (String caller : CALLERS) {
                cases.add(new Case(row, caller, true));
                if (row.tenantScoped()) {
                    cases.add(new Case(row, caller, false));
                }
            }
        }
        return cases;
    }

    /**
     * Creates the callers in Keycloak and their role assignments and keys in the read model.
     *
     * @param keycloak      the test server
     * @param jdbcUrl       the app's database, where {@code rm_role_assignment} and {@code rm_api_key} exist
     *                      (or are created here with the columns the admin apps read, when {@code create})
     * @param createTables  true for an app whose database has no read-model schema (command-side)
     */
    public void seed(KeycloakTestServer keycloak, String jdbcUrl, boolean createTables) {
        for (String caller : CALLERS) {
            keycloak.createUser(realm, principal(caller), password);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl, LocalPostgres.user(), LocalPostgres.password())) {
            if (createTables) {
                c.createStatement().execute("""
                        CREATE TABLE IF NOT EXISTS rm_role_assignment (assignment_id text, principal text NOT NULL,
                          role text NOT NULL, tenant_id text, source text, user_id text, valid_from timestamptz,
                          valid_to timestamptz, from_event_id text, from_index bigint)""");
                c.createStatement().execute("""
                        CREATE TABLE IF NOT EXISTS rm_api_key (api_key_id text PRIMARY KEY, tenant_id text NOT NULL,
                          name text, key_hash text, display_prefix text, status text, created_at timestamptz,
                          change_index bigint, owner_user_id text)""");
            }
            assign(c, "PlatformAdmin", "PlatformAdmin", null, null);
            assign(c, "TenantAdmin", "TenantAdmin", ownTenant, userId("TenantAdmin"));
            assign(c, "Developer", "Developer", ownTenant, userId("Developer"));
            assign(c, "FinanceReader", "FinanceReader", ownTenant, null);
            assign(c, "Auditor", "Auditor", ownTenant, null);
            key(c, keyId("Developer"), userId("Developer"));
            key(c, keyId("TenantAdmin"), userId("TenantAdmin"));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void assign(Connection c, String caller, String role, String tenantId, String userId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO rm_role_assignment (assignment_id, principal, role, tenant_id, source, user_id, valid_from,
                  from_event_id, from_index) VALUES (?, ?, ?, ?, ?, ?, now(), ?, 0)""")) {
            s.setString(1, UUID.randomUUID().toString());
            s.setString(2, principal(caller));
            s.setString(3, role);
            s.setString(4, tenantId);
            s.setString(5, userId == null ? "command" : "user");
            s.setString(6, userId);
            s.setString(7, UUID.randomUUID().toString());
            s.executeUpdate();
        }
    }

    private void key(Connection c, String apiKeyId, String owner) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at,
                  change_index, owner_user_id) VALUES (?, ?, 'k', ?, 'lp-x', 'ACTIVE', now(), 0, ?)""")) {
            s.setString(1, apiKeyId);
            s.setString(2, ownTenant);
            s.setString(3, UUID.randomUUID().toString());
            s.setString(4, owner);
            s.executeUpdate();
        }
    }

    /** @return the caller's Keycloak user name (its principal) */
    public String principal(String caller) {
        return caller.toLowerCase(Locale.ROOT) + "-" + suffix + "@matrix.example";
    }

    private String userId(String caller) {
        return "u-" + caller.toLowerCase(Locale.ROOT) + "-" + suffix;
    }

    private String keyId(String caller) {
        return "k-" + caller.toLowerCase(Locale.ROOT) + "-" + suffix;
    }

    /** @return the concrete path of {@code c}: variables filled in for its tenant and variant */
    public String path(Case c) {
        String owner = c.row().variant().equals("other") ? "TenantAdmin" : "Developer";
        return c.row().path()
                .replace("{tenantId}", c.ownTenant() ? ownTenant : otherTenant)
                .replace("{userId}", userId(owner))
                .replace("{apiKeyId}", keyId(owner))
                .replace("{*model}", "gpt-matrix")
                .replace("{assignmentId}", UUID.nameUUIDFromBytes(suffix.getBytes(StandardCharsets.UTF_8)).toString())
                .replace("{month}", "2026-01")
                .replace("{name}", "no-such-projection")
                .replace("{replayId}", UUID.nameUUIDFromBytes(("replay-" + suffix).getBytes(StandardCharsets.UTF_8)).toString());
    }

    /**
     * Sends {@code c} (POST and PUT with the body {@code {}}) with the caller's token.
     *
     * @return the answer
     */
    public HttpResponse<String> send(KeycloakTestServer keycloak, int port, Case c) throws IOException, InterruptedException {
        String token = tokens.computeIfAbsent(c.caller(), caller -> {
            KeycloakTestServer.TokenResponse t = keycloak.passwordGrant(realm, KeycloakTestServer.TEST_CLIENT,
                    principal(caller), password);
            if (t.status() != 200) {
                throw new IllegalStateException("no token for " + caller + ": " + t);
            }
            return t.accessToken();
        });
        String method = c.row().method();
        HttpRequest.BodyPublisher body = method.equals("POST") || method.equals("PUT")
                ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path(c)))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, body).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** @return "METHOD /pattern" of every row, for the completeness check against an app's handler mapping */
    public static Set<String> patterns() {
        return rows().stream().map(r -> r.method() + " " + r.pattern()).collect(Collectors.toSet());
    }
}
