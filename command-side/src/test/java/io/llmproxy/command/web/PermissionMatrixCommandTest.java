package io.llmproxy.command.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.identity.RealmProvisioner;
import io.llmproxy.identity.RealmSpec;
import io.llmproxy.testsupport.AdminEndpoints;
import io.llmproxy.testsupport.KeycloakTestServer;
import io.llmproxy.testsupport.LocalPostgres;
import io.llmproxy.testsupport.PermissionMatrixHarness;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The permission matrix (issue #10) on every command endpoint: each row of
 * {@code permission-matrix.psv} × caller × own/other tenant, with real Keycloak tokens. Allowed →
 * anything but 401/403 (the request then fails or succeeds on its merits); denied → 403 problem
 * JSON {@code forbidden}. Every endpoint the app maps must be in the table.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.admin.token=test-admin-token"})
class PermissionMatrixCommandTest {

    static final String REALM = "llmproxy-matrix-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    static KeycloakTestServer keycloak;
    static PermissionMatrixHarness matrix;
    static String url;

    static synchronized void setUp() {
        if (matrix != null) {
            return;
        }
        keycloak = KeycloakTestServer.get();
        keycloak.realm(REALM, admin -> new RealmProvisioner(admin).provision(RealmSpec.llmproxy(3000, "s3cret-" + UUID.randomUUID(),
                new RealmSpec.AdminUser("platform-admin", "platform-admin@llmproxy.local", "Adm1n-" + UUID.randomUUID()))
                .withRealm(REALM)));
        url = LocalPostgres.freshDatabase("llmproxy_command_matrix_it");
        matrix = new PermissionMatrixHarness(REALM);
        matrix.seed(keycloak, url, true);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        setUp();
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.admin.secret-key", () -> Base64.getEncoder().encodeToString(new byte[32]));
        registry.add("llmproxy.security.jwt.issuer-uri", () -> keycloak.issuer(REALM));
        registry.add("llmproxy.security.jwt.jwk-set-uri", () -> keycloak.baseUrl() + "/realms/" + REALM
                + "/protocol/openid-connect/certs");
    }

    @LocalServerPort
    int port;
    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mapping;

    static List<PermissionMatrixHarness.Case> cases() {
        setUp();
        return PermissionMatrixHarness.cases(COMMAND_PATTERNS);
    }

    /** The command-side's endpoints as the table names them (checked against the handler mapping below). */
    static final Set<String> COMMAND_PATTERNS = PermissionMatrixHarness.rows().stream()
            .filter(r -> !r.method().equals("GET"))
            .map(r -> r.method() + " " + r.pattern())
            .filter(p -> !p.startsWith("POST /admin/v1/projections/"))
            .collect(Collectors.toSet());

    @Test
    void everyMappedEndpointIsInTheTableAndEveryNonReadRowIsMapped() {
        Set<String> mapped = AdminEndpoints.of(mapping).stream().map(e -> e.method() + " " + e.pattern())
                .filter(p -> !p.endsWith(" /error")).collect(Collectors.toSet());
        assertThat(PermissionMatrixHarness.patterns()).containsAll(mapped);
        assertThat(mapped).containsExactlyInAnyOrderElementsOf(COMMAND_PATTERNS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachCallerGetsWhatTheMatrixSays(PermissionMatrixHarness.Case c) throws Exception {
        HttpResponse<String> r = matrix.send(keycloak, port, c);
        if (c.allowed()) {
            assertThat(r.statusCode()).as(r.body()).isNotIn(401, 403);
        } else {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
            assertThat(r.body()).contains("\"code\":\"forbidden\"");
        }
    }
}
