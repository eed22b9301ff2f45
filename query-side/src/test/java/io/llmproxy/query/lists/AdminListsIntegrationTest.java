package io.llmproxy.query.lists;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
 * The paged, sorted, filtered admin lists (issue #13, ADR 0021) over real read-model rows in
 * PostgreSQL: 120 tenants, 3 providers, global and tenant routes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.query.admin-token=test-admin-token",
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminListsIntegrationTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_lists_it", registry::add);
    }

    @Autowired
    JdbcTemplate jdbc;
    @LocalServerPort
    int port;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void rows() {
        for (int i = 0; i < 120; i++) {
            // names t-000 … t-119; every third suspended; one name with a literal % and _
            String name = i == 7 ? "Acme 100%_off" : String.format("t-%03d", i);
            jdbc.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index, status) VALUES (?, ?, ?, ?, ?)",
                    String.format("tid-%03d", i), name, Timestamp.from(T0.plusSeconds(120 - i)), i + 1,
                    i % 3 == 0 ? "SUSPENDED" : "ACTIVE");
        }
        jdbc.update("INSERT INTO rm_provider (provider_id, name, type, base_url, api_key_ciphertext, created_at, change_index) "
                        + "VALUES ('p1','openai-main','openai','https://api.openai.com/v1','CIPHERTEXT-1',?,200),"
                        + "('p2','claude','anthropic','https://api.anthropic.com','CIPHERTEXT-2',?,201),"
                        + "('p3','local','ollama','http://127.0.0.1:11434','CIPHERTEXT-3',?,202)",
                Timestamp.from(T0), Timestamp.from(T0.plusSeconds(1)), Timestamp.from(T0.plusSeconds(2)));
        String route = "INSERT INTO rm_route (route_id, model, tenant_id, targets, policy, updated_at, change_index) "
                + "VALUES (?, ?, ?, ?::jsonb, ?::jsonb, ?, ?)";
        jdbc.update(route, "gpt-4o-mini", "gpt-4o-mini", null, "[{\"providerId\":\"p1\",\"model\":\"gpt-4o-mini\"}]",
                "{\"strategy\":\"priority\"}", Timestamp.from(T0), 300);
        jdbc.update(route, "claude-3", "claude-3", null, "[{\"providerId\":\"p2\",\"model\":\"claude-3-haiku\"}]", null,
                Timestamp.from(T0), 301);
        jdbc.update(route, "tid-001/gpt-4o-mini", "gpt-4o-mini", "tid-001", "[{\"providerId\":\"p3\",\"model\":\"llama3\"}]", null,
                Timestamp.from(T0), 302);
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer test-admin-token").build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode ok(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as(path + " → " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static List<String> values(JsonNode items, String field) {
        List<String> out = new ArrayList<>();
        items.forEach(i -> out.add(i.get(field).asString()));
        return out;
    }

    @Test
    void tenantsPageWithTheDefaultSizeSortedByName() throws Exception {
        JsonNode first = ok("/admin/v1/tenants");
        assertThat(first.get("items")).hasSize(50);
        assertThat(first.get("page").get("totalElements").asLong()).isEqualTo(120);
        assertThat(first.get("page").get("totalPages").asInt()).isEqualTo(3);
        assertThat(first.get("sort").asString()).isEqualTo("name,asc");
        assertThat(values(first.get("items"), "name").subList(0, 2)).containsExactly("Acme 100%_off", "t-000");
        JsonNode last = ok("/admin/v1/tenants?page=2");
        assertThat(last.get("items")).hasSize(20);
        assertThat(values(last.get("items"), "name").getLast()).isEqualTo("t-119");
        assertThat(ok("/admin/v1/tenants?page=3").get("items")).isEmpty();
    }

    @Test
    void tenantsFilterAndSort() throws Exception {
        JsonNode suspended = ok("/admin/v1/tenants?status=SUSPENDED&size=200&sort=createdAt,desc");
        assertThat(suspended.get("page").get("totalElements").asLong()).isEqualTo(40);
        assertThat(values(suspended.get("items"), "status")).containsOnly("SUSPENDED");
        // created_at = T0 + 120 - i: newest first is the lowest i
        assertThat(values(suspended.get("items"), "tenantId").subList(0, 3)).containsExactly("tid-000", "tid-003", "tid-006");
        // q: case-insensitive substring; % and _ are literal, not wildcards
        assertThat(values(ok("/admin/v1/tenants?q=ACME").get("items"), "tenantId")).containsExactly("tid-007");
        assertThat(values(ok("/admin/v1/tenants?q=%25_").get("items"), "tenantId")).containsExactly("tid-007");
        assertThat(ok("/admin/v1/tenants?q=t-11&sort=name,desc").get("items").get(0).get("name").asString()).isEqualTo("t-119");
        assertThat(ok("/admin/v1/tenants?q=t-11").get("page").get("totalElements").asLong()).isEqualTo(10);
    }

    @ParameterizedTest(name = "{0} → 400 {1}")
    @CsvSource({
            "/admin/v1/tenants?size=201, invalid_size",
            "/admin/v1/tenants?size=0, invalid_size",
            "/admin/v1/tenants?page=-1, invalid_page",
            "/admin/v1/tenants?sort=secret, invalid_sort",
            "/admin/v1/tenants?sort=name;drop, invalid_sort",
            "/admin/v1/tenants?sort=name%2Csideways, invalid_sort",
            "/admin/v1/tenants?status=DELETED, invalid_status",
            "/admin/v1/providers?sort=apiKeyCiphertext, invalid_sort",
            "/admin/v1/routes?sort=targets, invalid_sort",
            // wrong types and oversized input
            "/admin/v1/tenants?page=abc, invalid_page",
            "/admin/v1/tenants?size=1e9, invalid_size",
            "/admin/v1/providers?page=99999999999, invalid_page",
            "/admin/v1/routes?q=QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ, invalid_q",
    })
    void badParametersAre400NamingThem(String path, String code) throws Exception {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("code").asString()).isEqualTo(code);
    }

    @Test
    void providersNeverShowTheirCredentials() throws Exception {
        HttpResponse<String> r = get("/admin/v1/providers");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("CIPHERTEXT").doesNotContain("apiKey");
        JsonNode body = JSON.readTree(r.body());
        assertThat(values(body.get("items"), "name")).containsExactly("claude", "local", "openai-main");
        assertThat(values(ok("/admin/v1/providers?type=anthropic").get("items"), "providerId")).containsExactly("p2");
        assertThat(values(ok("/admin/v1/providers?sort=createdAt,desc&size=2").get("items"), "providerId")).containsExactly("p3", "p2");
    }

    @Test
    void globalAndTenantRoutesAreListedApart() throws Exception {
        JsonNode global = ok("/admin/v1/routes");
        assertThat(values(global.get("items"), "routeId")).containsExactly("claude-3", "gpt-4o-mini");
        assertThat(global.get("items").get(1).get("targets").get(0).get("providerId").asString()).isEqualTo("p1");
        assertThat(global.get("items").get(1).get("policy").get("strategy").asString()).isEqualTo("priority");
        JsonNode own = ok("/admin/v1/tenants/tid-001/routes");
        assertThat(values(own.get("items"), "routeId")).containsExactly("tid-001/gpt-4o-mini");
        assertThat(own.get("items").get(0).get("tenantId").asString()).isEqualTo("tid-001");
        assertThat(ok("/admin/v1/tenants/tid-002/routes").get("items")).isEmpty();
        assertThat(get("/admin/v1/tenants/nope/routes").statusCode()).isEqualTo(404);
    }
}
