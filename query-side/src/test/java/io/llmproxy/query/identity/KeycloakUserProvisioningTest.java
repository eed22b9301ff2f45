package io.llmproxy.query.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.identity.RealmProvisioner;
import io.llmproxy.identity.RealmSpec;
import io.llmproxy.identity.UserDirectory;
import io.llmproxy.kernel.tenant.TenantCreated;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.user.UserAdded;
import io.llmproxy.kernel.user.UserRemoved;
import io.llmproxy.kernel.user.UserRole;
import io.llmproxy.testsupport.KeycloakTestServer;
import io.llmproxy.testsupport.LocalPostgres;
import io.llmproxy.testsupport.TcpForwarder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.UserRepresentation;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tenant users are provisioned into a real Keycloak from the events (issue #10): added → an enabled
 * user that must choose a password, with its tenant and user id; removed → disabled; Keycloak
 * unreachable → the state says {@code failing} with the attempts, and the same event is retried
 * until Keycloak is back, then {@code provisioned}, without adding the user again. An e-mail whose
 * Keycloak user is another tenant's is never taken over ({@code conflict}); an operator's is linked as it
 * is ({@code external}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.query.admin-token=test-admin-token",
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "llmproxy.identity.provisioning.enabled=true"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
class KeycloakUserProvisioningTest {

    static final String REALM = "llmproxy-prov-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    static final String TENANT = "t-prov-" + UUID.randomUUID();
    static KeycloakTestServer keycloak;
    static TcpForwarder forwarder;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        keycloak = KeycloakTestServer.get();
        keycloak.realm(REALM, admin -> new RealmProvisioner(admin).provision(RealmSpec.llmproxy(3000, "s3cret-" + UUID.randomUUID(),
                new RealmSpec.AdminUser("platform-admin", "platform-admin@llmproxy.local", "Adm1n-" + UUID.randomUUID()))
                .withRealm(REALM)));
        URI base = URI.create(keycloak.baseUrl());
        forwarder = new TcpForwarder(base.getHost(), base.getPort());
        Path password = Files.createTempFile("kc-admin", ".txt");
        Files.writeString(password, keycloak.adminPassword());
        password.toFile().deleteOnExit();
        LocalPostgres.springDataSource("llmproxy_query_provisioning_it", registry::add);
        registry.add("llmproxy.identity.keycloak.server-url", () -> "http://127.0.0.1:" + forwarder.port());
        registry.add("llmproxy.identity.keycloak.realm", () -> REALM);
        registry.add("llmproxy.identity.keycloak.admin-password-file", password::toString);
    }

    @AfterAll
    static void closeForwarder() {
        forwarder.close();
    }

    @Autowired
    EventStore eventStore;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    JsonMapper json;
    @LocalServerPort
    int port;

    /** the next sequence number of each tenant aggregate this test publishes for */
    final Map<String, Long> sequences = new java.util.HashMap<>();

    void publish(Object event) {
        publish(TENANT, event);
    }

    void publish(String tenant, Object event) {
        long sequence = sequences.merge(tenant, 1L, Long::sum) - 1;
        eventStore.publish(new GenericDomainEventMessage<>(event.getClass().getSimpleName(), tenant, sequence, event));
    }

    UserRepresentation keycloakUser(String username) {
        List<UserRepresentation> found = keycloak.admin().realm(REALM).users().searchByUsername(username, true);
        return found.isEmpty() ? null : found.get(0);
    }

    Map<String, Object> state(String userId) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM identity_provisioning WHERE tenant_id = ? AND user_id = ?",
                TENANT, userId);
        return rows.isEmpty() ? Map.of() : rows.get(0);
    }

    JsonNode users() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/admin/v1/tenants/" + TENANT + "/users")).header("Authorization", "Bearer test-admin-token").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body()).get("items");
    }

    @Autowired
    UserDirectory directory;

    @Test
    void anotherTenantsOrAnOperatorsKeycloakUserIsLeftAloneAndLaterEventsGoOn() throws Exception {
        String tenant = "t-claim-" + UUID.randomUUID();
        String other = "t-other-" + UUID.randomUUID();
        String eveId = directory.ensureUser("eve@example.org", other, "u-eve");
        String opsId = keycloak.createUser(REALM, "ops@example.org", "Ops-pass-123!");
        Instant t0 = Instant.now();
        publish(tenant, new TenantCreated(tenant, "claim", t0));
        Map<String, String> claims = Map.of("u-eve", "Eve@Example.org", "u-ops", "ops@example.org");
        for (Map.Entry<String, String> claim : claims.entrySet()) {
            publish(tenant, new UserAdded(tenant, claim.getKey(), claim.getValue(), UserRole.TenantAdmin, t0));
        }
        // a later event of the same processor is not held up behind them
        publish(tenant, new UserAdded(tenant, "u-fay", "fay@example.org", UserRole.Developer, t0));
        await().atMost(Duration.ofSeconds(20)).until(() -> "provisioned".equals(state(tenant, "u-fay").get("state")));
        // another tenant's: conflict; an operator's (no llmproxy attributes): linked as it is
        Map<String, Object> eveState = state(tenant, "u-eve");
        assertThat(eveState.get("state")).isEqualTo("conflict");
        assertThat((String) eveState.get("last_error")).contains("belongs to another tenant");
        assertThat(eveState.get("keycloak_user_id")).isNull();
        Map<String, Object> opsState = state(tenant, "u-ops");
        assertThat(opsState.get("state")).isEqualTo("external");
        assertThat(opsState.get("keycloak_user_id")).isEqualTo(opsId);
        for (String userId : claims.keySet()) {
            publish(tenant, new UserRemoved(tenant, userId, t0));
        }
        publish(tenant, new UserRemoved(tenant, "u-fay", t0));
        await().atMost(Duration.ofSeconds(20)).until(() -> "disabled".equals(state(tenant, "u-fay").get("state")));
        assertThat(state(tenant, "u-eve").get("state")).as("after its removal").isEqualTo("conflict");
        assertThat(state(tenant, "u-ops").get("state")).as("after its removal").isEqualTo("external");
        // neither account was touched: enabled, its own attributes, no required action added
        UserRepresentation eve = keycloak.admin().realm(REALM).users().get(eveId).toRepresentation();
        assertThat(eve.isEnabled()).isTrue();
        assertThat(eve.getAttributes()).containsEntry(UserDirectory.TENANT_ATTRIBUTE, List.of(other))
                .containsEntry(UserDirectory.USER_ATTRIBUTE, List.of("u-eve"));
        UserRepresentation ops = keycloak.admin().realm(REALM).users().get(opsId).toRepresentation();
        assertThat(ops.isEnabled()).isTrue();
        assertThat(ops.getAttributes()).isNullOrEmpty();
        assertThat(ops.getRequiredActions()).isEmpty();
        assertThat(keycloakUser("fay@example.org").isEnabled()).isFalse();
    }

    @Test
    void aUserKeycloakRefusesIsRejectedAndHoldsUpNoLaterUser() {
        String tenant = "t-refused-" + UUID.randomUUID();
        Instant t0 = Instant.now();
        publish(tenant, new TenantCreated(tenant, "refused", t0));
        // an address Keycloak's user profile refuses (400 error-invalid-email), then an ordinary one
        publish(tenant, new UserAdded(tenant, "u-odd", "odd(x)@example.org", UserRole.Developer, t0));
        publish(tenant, new UserAdded(tenant, "u-gus", "gus@example.org", UserRole.Developer, t0));
        await().atMost(Duration.ofSeconds(20)).until(() -> "provisioned".equals(state(tenant, "u-gus").get("state")));
        Map<String, Object> odd = state(tenant, "u-odd");
        assertThat(odd.get("state")).isEqualTo("rejected");
        assertThat((String) odd.get("last_error")).startsWith("Keycloak refused it (HTTP 400)");
        assertThat(odd.get("attempts")).isEqualTo(0);
        assertThat(keycloakUser("odd(x)@example.org")).isNull();
    }

    Map<String, Object> state(String tenant, String userId) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM identity_provisioning WHERE tenant_id = ? AND user_id = ?",
                tenant, userId);
        return rows.isEmpty() ? Map.of() : rows.get(0);
    }

    @Test
    void addedRemovedAndRetriedWhileKeycloakIsDown() throws Exception {
        Instant t0 = Instant.now();
        publish(new TenantCreated(TENANT, "prov", t0));
        publish(new UserAdded(TENANT, "u-ada", "Ada@Example.org", UserRole.Developer, t0));
        await().atMost(Duration.ofSeconds(20)).until(() -> "provisioned".equals(state("u-ada").get("state")));
        UserRepresentation ada = keycloakUser("ada@example.org");
        assertThat(ada.isEnabled()).isTrue();
        assertThat(ada.getEmail()).isEqualTo("ada@example.org");
        assertThat(ada.getRequiredActions()).containsExactly(UserDirectory.UPDATE_PASSWORD);
        assertThat(ada.getAttributes()).containsEntry(UserDirectory.TENANT_ATTRIBUTE, List.of(TENANT))
                .containsEntry(UserDirectory.USER_ATTRIBUTE, List.of("u-ada"));
        assertThat(state("u-ada").get("keycloak_user_id")).isEqualTo(ada.getId());
        // the tenant read model is another processor: it may not have the tenant yet (404 until it does)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(users()).hasSize(1));
        assertThat(users().get(0).get("identity").get("state").asString()).isEqualTo("provisioned");

        publish(new UserRemoved(TENANT, "u-ada", t0.plusSeconds(1)));
        await().atMost(Duration.ofSeconds(20)).until(() -> "disabled".equals(state("u-ada").get("state")));
        assertThat(keycloakUser("ada@example.org").isEnabled()).isFalse();

        // Keycloak unreachable: the step fails, is recorded, and is retried until it is back
        forwarder.stop();
        publish(new UserAdded(TENANT, "u-bob", "bob@example.org", UserRole.TenantAdmin, t0.plusSeconds(2)));
        await().atMost(Duration.ofSeconds(30)).until(() -> "failing".equals(state("u-bob").get("state")));
        assertThat((Integer) state("u-bob").get("attempts")).isGreaterThanOrEqualTo(1);
        assertThat((String) state("u-bob").get("last_error")).isNotBlank().doesNotContain(keycloak.adminPassword());
        assertThat(keycloakUser("bob@example.org")).isNull();
        forwarder.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> "provisioned".equals(state("u-bob").get("state")));
        assertThat(keycloakUser("bob@example.org").isEnabled()).isTrue();
        assertThat(keycloak.admin().realm(REALM).users().searchByUsername("bob@example.org", true)).hasSize(1);
        assertThat(state("u-bob").get("attempts")).isEqualTo(0);
    }
}
