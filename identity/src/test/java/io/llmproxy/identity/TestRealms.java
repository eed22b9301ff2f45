package io.llmproxy.identity;

import io.llmproxy.testsupport.KeycloakTestServer;
import java.util.Locale;
import java.util.UUID;

/** Fresh realms on the test Keycloak, each with its own name so tests never see each other's. */
final class TestRealms {

    static final String ADMIN_PASSWORD = "Adm1n-" + UUID.randomUUID();
    static final String AUTOMATION_SECRET = "s3cret-" + UUID.randomUUID();

    private TestRealms() {
    }

    /** @return a realm name not used before, e.g. {@code llmproxy-t-1a2b3c4d} */
    static String freshName() {
        return "llmproxy-t-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    }

    /** The project's spec (UI port 3000) for realm {@code name}. */
    static RealmSpec spec(String name) {
        return RealmSpec.llmproxy(3000, AUTOMATION_SECRET,
                new RealmSpec.AdminUser("platform-admin", "platform-admin@llmproxy.local", ADMIN_PASSWORD))
                .withRealm(name);
    }

    static void delete(KeycloakTestServer server, String name) {
        if (server.admin().realms().findAll().stream().anyMatch(r -> name.equals(r.getRealm()))) {
            server.admin().realm(name).remove();
        }
    }
}
