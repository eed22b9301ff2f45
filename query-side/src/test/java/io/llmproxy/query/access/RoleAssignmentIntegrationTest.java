package io.llmproxy.query.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.kernel.access.AssignRole;
import io.llmproxy.kernel.access.Role;
import io.llmproxy.kernel.access.RoleAssigned;
import io.llmproxy.kernel.access.RoleAssignmentRemoved;
import io.llmproxy.kernel.apikey.ApiKeyIssued;
import io.llmproxy.kernel.tenant.TenantCreated;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.user.UserAdded;
import io.llmproxy.kernel.user.UserRemoved;
import io.llmproxy.kernel.user.UserRole;
import io.llmproxy.kernel.user.UserRoleChanged;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
 * Role assignments on the real PostgreSQL: the {@code rm_role_assignment} rows of explicit and
 * user-derived assignments, the list and "who holds permission X in tenant T at instant t" reads,
 * replay to identical rows, and the events in the tenant's (or the no-tenant) audit chain.
 *
 * <p>Timeline of tenant T (seconds after T0): 1 platform-admin gets PlatformAdmin (platform) and key
 * k1 is issued; 2 user ada (Reader → FinanceReader + Auditor) is added; 3 user bob (Developer) is
 * added; 4 carol is assigned TenantAdmin; 5 bob becomes TenantAdmin; 6 carol's assignment is
 * removed; 7 bob is removed; 8 ada becomes Developer. Carol is also TenantAdmin of tenant O from 2.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.query.admin-token=test-admin-token",
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoleAssignmentIntegrationTest {

    private static final String T = "a0000000-0000-4000-8000-0000000000a1";
    private static final String O = "b0000000-0000-4000-8000-0000000000b2";
    private static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
    private static final String ALICE = "admin-token:alice";
    private static final String ROOT = AssignRole.idOf("platform-admin", Role.PlatformAdmin, null);
    private static final String CAROL_T = AssignRole.idOf("carol@example.org", Role.TenantAdmin, T);
    private static final String CAROL_O = AssignRole.idOf("carol@example.org", Role.TenantAdmin, O);

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_roles_it", registry::add);
    }

    @Autowired
    EventStore eventStore;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    JsonMapper json;
    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    @Order(1)
    void explicitAndUserDerivedAssignmentsBecomeRowsWithTheirPeriods() {
        publish(T, 0, new TenantCreated(T, "Acme", at(0)));
        publish(O, 0, new TenantCreated(O, "Other", at(0)));
        publish(ROOT, 0, new RoleAssigned(null, ROOT, "platform-admin", Role.PlatformAdmin, at(1)));
        publish(T, 1, new ApiKeyIssued(T, "k1", "ci", "a".repeat(64), "llmp_aaaaaa", at(1)));
        publish(T, 2, new UserAdded(T, "u1", "ada@example.org", UserRole.Reader, at(2)));
        publish(CAROL_O, 0, new RoleAssigned(O, CAROL_O, "carol@example.org", Role.TenantAdmin, at(2)));
        publish(T, 3, new UserAdded(T, "u2", "bob@example.org", UserRole.Developer, at(3)));
        publish(CAROL_T, 0, new RoleAssigned(T, CAROL_T, "carol@example.org", Role.TenantAdmin, at(4)));
        publish(T, 4, new UserRoleChanged(T, "u2", UserRole.TenantAdmin, at(5)));
        publish(CAROL_T, 1, new RoleAssignmentRemoved(T, CAROL_T, "carol@example.org", Role.TenantAdmin, at(6)));
        publish(T, 5, new UserRemoved(T, "u2", at(7)));
        publish(T, 6, new UserRoleChanged(T, "u1", UserRole.Developer, at(8)));

        await().atMost(Duration.ofSeconds(30)).until(() -> rowsReady() && count("audit_log") == 12);
        assertThat(rows()).containsExactly(
                "platform-admin PlatformAdmin null command " + ROOT + " null " + at(1) + " null",
                "ada@example.org Auditor " + T + " user user:u1/Auditor u1 " + at(2) + " " + at(8),
                "ada@example.org FinanceReader " + T + " user user:u1/FinanceReader u1 " + at(2) + " " + at(8),
                "carol@example.org TenantAdmin " + O + " command " + CAROL_O + " null " + at(2) + " null",
                "bob@example.org Developer " + T + " user user:u2/Developer u2 " + at(3) + " " + at(5),
                "carol@example.org TenantAdmin " + T + " command " + CAROL_T + " null " + at(4) + " " + at(6),
                "bob@example.org TenantAdmin " + T + " user user:u2/TenantAdmin u2 " + at(5) + " " + at(7),
                "ada@example.org Developer " + T + " user user:u1/Developer u1 " + at(8) + " null");
        // every period names the events that started and ended it
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM rm_role_assignment r JOIN domainevententry s ON s.eventidentifier = r.from_event_id
                LEFT JOIN domainevententry e ON e.eventidentifier = r.to_event_id
                WHERE (r.to_event_id IS NULL) = (e.eventidentifier IS NULL) AND s.globalindex = r.from_index
                    AND (e.globalindex IS NULL OR e.globalindex = r.to_index)""", Long.class)).isEqualTo(8);
    }

    /** "Who holds permission P (or role R) in tenant T at instant t", before and after each change. */
    @ParameterizedTest(name = "{0} at T0+{1}s → {2}")
    @Order(2)
    @CsvSource(delimiter = '|', value = {
            "permission=keys:issue     | 0 | ''",
            "permission=keys:issue     | 1 | platform-admin",
            "permission=keys:issue     | 3 | platform-admin",
            "permission=keys:issue     | 4 | carol@example.org platform-admin",
            "permission=keys:issue     | 5 | bob@example.org carol@example.org platform-admin",
            "permission=keys:issue     | 6 | bob@example.org platform-admin",
            "permission=keys:issue     | 7 | platform-admin",
            "permission=keys:issue     | 9 | platform-admin",
            "permission=keys:issue-own | 3 | bob@example.org platform-admin",
            "permission=keys:issue-own | 5 | bob@example.org carol@example.org platform-admin",
            "permission=keys:issue-own | 7 | platform-admin",
            "permission=keys:issue-own | 8 | ada@example.org platform-admin",
            "permission=audit:read     | 2 | ada@example.org platform-admin",
            "permission=audit:read     | 8 | platform-admin",
            "permission=usage:read     | 7 | ada@example.org platform-admin",
            "role=Auditor              | 7 | ada@example.org",
            "role=Auditor              | 8 | ''",
            "role=TenantAdmin          | 5 | bob@example.org carol@example.org",
            "role=PlatformAdmin        | 5 | platform-admin",
            "role=Developer            | 4 | bob@example.org"})
    void whoHoldsAPermissionInTheTenantAtAnInstant(String query, int seconds, String principals) throws Exception {
        JsonNode answer = getJson("/admin/v1/tenants/" + T + "/principals?" + query + "&asOf=" + at(seconds));
        assertThat(answer.get("items").valueStream().map(i -> i.get("principal").asString()).toList())
                .isEqualTo(principals.isBlank() ? List.of() : List.of(principals.split(" ")));
        assertThat(answer.get("asOf").asString()).isEqualTo(at(seconds).toString());
    }

    @Test
    @Order(3)
    void principalsShowWhichAssignmentGivesThePermission() throws Exception {
        JsonNode answer = getJson("/admin/v1/tenants/" + T + "/principals?permission=keys:issue&asOf=" + at(5));
        assertThat(answer.get("permission").asString()).isEqualTo("keys:issue");
        assertThat(answer.get("roles").toString()).isEqualTo("[\"PlatformAdmin\",\"TenantAdmin\"]");
        JsonNode bob = answer.get("items").get(0);
        assertThat(bob.get("via").toString()).isEqualTo("[{\"assignmentId\":\"user:u2/TenantAdmin\",\"principal\":\"bob@example.org\","
                + "\"role\":\"TenantAdmin\",\"scope\":\"tenant:" + T + "\",\"tenantId\":\"" + T + "\",\"source\":\"user\","
                + "\"userId\":\"u2\",\"validFrom\":\"" + at(5) + "\",\"validTo\":\"" + at(7) + "\"}]");
        JsonNode root = answer.get("items").get(2).get("via").get(0);
        assertThat(root.get("scope").asString()).isEqualTo("platform");
        assertThat(root.get("assignmentId").asString()).isEqualTo(ROOT);
        // now (no asOf): only the platform administrator; tenant O's TenantAdmin never shows in T
        JsonNode now = getJson("/admin/v1/tenants/" + T + "/principals?permission=keys:issue");
        assertThat(now.get("items").valueStream().map(i -> i.get("principal").asString()).toList()).containsExactly("platform-admin");
        assertThat(getJson("/admin/v1/tenants/" + O + "/principals?role=TenantAdmin").get("items").get(0).get("principal").asString())
                .isEqualTo("carol@example.org");
        // paged by principal
        JsonNode first = getJson("/admin/v1/tenants/" + T + "/principals?permission=keys:issue&asOf=" + at(5) + "&limit=2");
        assertThat(first.get("items").size()).isEqualTo(2);
        assertThat(first.get("nextOffset").asInt()).isEqualTo(2);
        JsonNode second = getJson("/admin/v1/tenants/" + T + "/principals?permission=keys:issue&asOf=" + at(5) + "&limit=2&offset=2");
        assertThat(second.get("items").get(0).get("principal").asString()).isEqualTo("platform-admin");
        assertThat(second.get("nextOffset").isNull()).isTrue();
    }

    @Test
    @Order(4)
    void theListShowsAssignmentsInForceNowOrAtAnInstantPaged() throws Exception {
        assertThat(list("?tenantId=" + T)).containsExactly("ada@example.org Developer tenant:" + T + " user");
        assertThat(list("")).containsExactly("ada@example.org Developer tenant:" + T + " user",
                "carol@example.org TenantAdmin tenant:" + O + " command", "platform-admin PlatformAdmin platform command");
        assertThat(list("?principal=Carol@Example.org")).containsExactly("carol@example.org TenantAdmin tenant:" + O + " command");
        assertThat(list("?role=PlatformAdmin")).containsExactly("platform-admin PlatformAdmin platform command");
        assertThat(list("?tenantId=" + T + "&asOf=" + at(5))).containsExactly(
                "ada@example.org Auditor tenant:" + T + " user", "ada@example.org FinanceReader tenant:" + T + " user",
                "bob@example.org TenantAdmin tenant:" + T + " user", "carol@example.org TenantAdmin tenant:" + T + " command");
        assertThat(list("?asOf=" + at(0))).isEmpty();
        JsonNode page = getJson("/admin/v1/role-assignments?asOf=" + at(5) + "&limit=2&offset=4");
        assertThat(page.get("items").size()).isEqualTo(2);
        assertThat(page.get("nextOffset").isNull()).isTrue();
        assertThat(page.get("limit").asInt()).isEqualTo(2);
        assertThat(getJson("/admin/v1/role-assignments?asOf=" + at(5) + "&limit=2&offset=2").get("nextOffset").asInt()).isEqualTo(4);
        assertThat(getJson("/admin/v1/role-assignments").get("limit").asInt()).isEqualTo(100);
    }

    @ParameterizedTest(name = "{0} → {1} {2}")
    @Order(5)
    @CsvSource(delimiter = '|', value = {
            "/admin/v1/role-assignments?limit=0                                  | 400 | limit",
            "/admin/v1/role-assignments?limit=1001                               | 400 | limit",
            "/admin/v1/role-assignments?offset=-1                                | 400 | offset",
            "/admin/v1/role-assignments?role=Owner                               | 400 | role",
            "/admin/v1/role-assignments?asOf=noon                                | 400 | asOf",
            "/admin/v1/tenants/" + T + "/principals                              | 400 | role",
            "/admin/v1/tenants/" + T + "/principals?role=Auditor&permission=audit:read | 400 | permission",
            "/admin/v1/tenants/" + T + "/principals?permission=keys:delete       | 400 | permission",
            "/admin/v1/tenants/" + T + "/principals?role=auditor                 | 400 | role",
            "/admin/v1/tenants/" + T + "/principals?role=Auditor&asOf=-999999999-01-01T00:00:00Z | 400 | asOf",
            "/admin/v1/tenants/" + T + "/principals?role=Auditor&limit=5000      | 400 | limit",
            "/admin/v1/tenants/nope/principals?role=Auditor                      | 404 | tenantId"})
    void badParametersAre400AndAnUnknownTenant404NamingTheField(String path, int status, String field) throws Exception {
        HttpResponse<String> response = get(path, "test-admin-token");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("application/problem+json");
        assertThat(json.readTree(response.body()).get("field").asString()).isEqualTo(field);
    }

    @Test
    @Order(6)
    void theEventsAreInTheTenantOrNoTenantAuditChainAndVerifyStaysOk() throws Exception {
        // by chain, then by place in the chain: how chains interleave depends on the segments (ADR 0022)
        assertThat(jdbc.queryForList("""
                SELECT chain_id, event_type, actor, payload::text FROM audit_log
                WHERE event_type IN ('RoleAssigned', 'RoleAssignmentRemoved') ORDER BY chain_id, seq""")).extracting(
                r -> r.get("chain_id") + " " + r.get("event_type") + " " + r.get("actor") + " " + json.readTree((String) r.get("payload")))
                .containsExactly(
                        "* RoleAssigned " + ALICE + " {\"role\":\"PlatformAdmin\",\"tenantId\":null,\"principal\":\"platform-admin\","
                                + "\"assignmentId\":\"" + ROOT + "\"}",
                        T + " RoleAssigned " + ALICE + " {\"role\":\"TenantAdmin\",\"tenantId\":\"" + T + "\","
                                + "\"principal\":\"carol@example.org\",\"assignmentId\":\"" + CAROL_T + "\"}",
                        T + " RoleAssignmentRemoved " + ALICE + " {\"role\":\"TenantAdmin\",\"tenantId\":\"" + T + "\","
                                + "\"principal\":\"carol@example.org\",\"assignmentId\":\"" + CAROL_T + "\"}",
                        O + " RoleAssigned " + ALICE + " {\"role\":\"TenantAdmin\",\"tenantId\":\"" + O + "\","
                                + "\"principal\":\"carol@example.org\",\"assignmentId\":\"" + CAROL_O + "\"}");
        JsonNode events = getJson("/audit/v1/events?tenantId=" + T);
        assertThat(events.get("items").valueStream().map(i -> i.get("eventType").asString()).toList()).containsExactly(
                "TenantCreated", "ApiKeyIssued", "UserAdded", "UserAdded", "RoleAssigned", "UserRoleChanged",
                "RoleAssignmentRemoved", "UserRemoved", "UserRoleChanged");
        for (String chain : List.of(T, O, "*")) {
            JsonNode v = getJson("/audit/v1/verify?tenantId=" + chain);
            assertThat(v.get("ok").asBoolean()).as(chain).isTrue();
        }
        assertThat(getJson("/audit/v1/verify?tenantId=" + T).get("rows").asLong()).isEqualTo(9);
        assertThat(getJson("/audit/v1/verify?tenantId=*").get("rows").asLong()).isEqualTo(1);
        // a key's history and as-of read the same chain and are not disturbed by the new events
        JsonNode history = getJson("/admin/v1/tenants/" + T + "/api-keys/k1/history");
        assertThat(history.get("items").valueStream().map(i -> i.get("eventType").asString()).toList()).containsExactly("ApiKeyIssued");
        JsonNode asOf = getJson("/admin/v1/tenants/" + T + "/api-keys/k1/as-of?time=" + at(9));
        assertThat(asOf.get("status").asString()).isEqualTo("ACTIVE");
        assertThat(asOf.get("lastChange").get("eventType").asString()).isEqualTo("ApiKeyIssued");
    }

    @Test
    @Order(7)
    void replayRebuildsIdenticalRows() throws Exception {
        List<Map<String, Object>> before = jdbc.queryForList("SELECT * FROM rm_role_assignment ORDER BY from_index, role");
        jdbc.update("DELETE FROM rm_role_assignment WHERE source = 'user'");
        jdbc.update("UPDATE rm_role_assignment SET valid_to = NULL");
        HttpResponse<String> replay = post("/admin/v1/projections/admin-read-model/replay");
        assertThat(replay.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(jdbc.queryForList("SELECT * FROM rm_role_assignment ORDER BY from_index, role")).isEqualTo(before));
        assertThat(before).hasSize(8);
    }

    private boolean rowsReady() {
        return count("rm_role_assignment") == 8
                && jdbc.queryForObject("SELECT count(*) FROM rm_role_assignment WHERE valid_to IS NOT NULL", Long.class) == 5;
    }

    private List<String> rows() {
        return jdbc.query("""
                SELECT principal, role, tenant_id, source, assignment_id, user_id, valid_from, valid_to FROM rm_role_assignment
                ORDER BY from_index, role""", (rs, i) -> String.join(" ", rs.getString(1), rs.getString(2),
                String.valueOf(rs.getString(3)), rs.getString(4), rs.getString(5), String.valueOf(rs.getString(6)),
                rs.getTimestamp(7).toInstant().toString(),
                rs.getTimestamp(8) == null ? "null" : rs.getTimestamp(8).toInstant().toString()));
    }

    private List<String> list(String query) throws Exception {
        return getJson("/admin/v1/role-assignments" + query).get("items").valueStream()
                .map(i -> i.get("principal").asString() + " " + i.get("role").asString() + " " + i.get("scope").asString() + " "
                        + i.get("source").asString())
                .toList();
    }

    private void publish(String aggregateId, long sequence, Object event) {
        eventStore.publish(new GenericDomainEventMessage<>(event.getClass().getSimpleName(), aggregateId, sequence, event,
                MetaData.with("actor", ALICE)));
    }

    private long count(String table) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class);
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer test-admin-token")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = get(path, "test-admin-token");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
