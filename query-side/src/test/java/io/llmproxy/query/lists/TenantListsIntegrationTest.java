package io.llmproxy.query.lists;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
 * A tenant's users and API keys as paged, sorted, filtered lists (issue #13, ADR 0021) over real
 * read-model rows in PostgreSQL. Tenant {@code ta}: users u-00…u-59 (created in that order, every
 * fifth removed, u-07 is {@code Ada.Lovelace@Example.org}) and keys k-00…k-59 named key-00…key-59
 * (k-07 is {@code prod 100%_key}); i % 4 = 0 revoked, 1 expired, 2 expiring later, 3 without expiry;
 * i % 3 = 0 owned by u-01. Tenant {@code tb}: two users and three keys that {@code ta}'s lists never show.
 * Who may call (another tenant's caller refused): {@code PermissionMatrixQueryTest}'s paged rows.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.query.admin-token=test-admin-token",
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}"})
@EmbeddedKafka(partitions = 1, topics = UsageRecorded.TOPIC)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantListsIntegrationTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_tenant_lists_it", registry::add);
    }

    @Autowired
    JdbcTemplate jdbc;
    @LocalServerPort
    int port;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void rows() {
        String tenant = "INSERT INTO rm_tenant (tenant_id, name, created_at, change_index, status) VALUES (?, ?, ?, ?, 'ACTIVE')";
        jdbc.update(tenant, "ta", "Acme", Timestamp.from(T0), 1);
        jdbc.update(tenant, "tb", "Other", Timestamp.from(T0), 2);
        String user = "INSERT INTO rm_user (user_id, tenant_id, email, role, created_at, removed_at, change_index) VALUES (?,?,?,?,?,?,?)";
        String[] roles = {"Developer", "TenantAdmin", "Reader"};
        for (int i = 0; i < 60; i++) {
            jdbc.update(user, String.format("u-%02d", i), "ta", i == 7 ? "Ada.Lovelace@Example.org" : String.format("user-%02d@acme.example", i),
                    roles[i % 3], Timestamp.from(T0.plusSeconds(i)), i % 5 == 0 ? Timestamp.from(T0.plusSeconds(1000 + i)) : null, 10 + i);
        }
        jdbc.update(user, "ub-1", "tb", "bob@other.example", "TenantAdmin", Timestamp.from(T0), null, 100);
        jdbc.update(user, "ub-2", "tb", "ada@other.example", "Developer", Timestamp.from(T0), null, 101);
        jdbc.update("INSERT INTO identity_provisioning (tenant_id, user_id, username, state, attempts, last_error, updated_at) VALUES "
                        + "('ta','u-01','user-01@acme.example','provisioned',0,NULL,?), "
                        + "('ta','u-02','user-02@acme.example','failing',3,'ConnectException: refused',?)",
                Timestamp.from(T0.plusSeconds(5)), Timestamp.from(T0.plusSeconds(6)));
        String key = "INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, revoked_at, "
                + "change_index, owner_user_id, allowed_models, expires_at) VALUES (?,?,?,?,?,?,?,?,?,?,?::jsonb,?)";
        Instant now = Instant.now();
        for (int i = 0; i < 60; i++) {
            Instant expires = switch (i % 4) {
                case 1 -> now.minus(Duration.ofMinutes(100 - i));
                case 2 -> now.plus(Duration.ofDays(30 + i));
                default -> null;
            };
            jdbc.update(key, String.format("k-%02d", i), "ta", i == 7 ? "prod 100%_key" : String.format("key-%02d", i),
                    "SECRET-HASH-a-" + i, "llmp_aaaaaa", i % 4 == 0 ? "REVOKED" : "ACTIVE", Timestamp.from(T0.plusSeconds(i)),
                    i % 4 == 0 ? Timestamp.from(T0.plusSeconds(500 + i)) : null, 200 + i, i % 3 == 0 ? "u-01" : null,
                    i == 2 ? "[\"gpt-4o-mini\"]" : null, expires == null ? null : Timestamp.from(expires));
        }
        for (int i = 0; i < 3; i++) {
            jdbc.update(key, "kb-" + i, "tb", "key-b-" + i, "SECRET-HASH-b-" + i, "llmp_bbbbbb", "ACTIVE", Timestamp.from(T0), null,
                    300 + i, i == 0 ? "u-01" : null, null, null);
        }
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

    @ParameterizedTest(name = "{0} → {1} rows, {2} shown, first {3}, sort {4}")
    @CsvSource(delimiter = '|', value = {
            // users: default size 50, createdAt ascending
            "/users                                | 60 | 50 | u-00 u-01            | createdAt,asc",
            "/users?size=2                         | 60 | 2  | u-00 u-01            | createdAt,asc",
            "/users?size=2&page=1                  | 60 | 2  | u-02 u-03            | createdAt,asc",
            "/users?size=2&page=29                 | 60 | 2  | u-58 u-59            | createdAt,asc",
            "/users?size=2&page=30                 | 60 | 0  | ''                   | createdAt,asc",
            "/users?size=2&sort=createdAt,desc     | 60 | 2  | u-59 u-58            | createdAt,desc",
            "/users?size=1&sort=email              | 60 | 1  | u-07                 | email,asc",
            "/users?size=2&sort=email,desc         | 60 | 2  | u-59 u-58            | email,desc",
            "/users?size=3&sort=role,desc          | 60 | 3  | u-58 u-55 u-52       | role,desc",
            "/users?q=ADA.lovelace                 | 1  | 1  | u-07                 | createdAt,asc",
            "/users?q=acme.EXAMPLE&size=200        | 59 | 59 | u-00 u-01            | createdAt,asc",
            "/users?q=%25                          | 0  | 0  | ''                   | createdAt,asc",
            "/users?status=REMOVED                 | 12 | 12 | u-00 u-05 u-10       | createdAt,asc",
            "/users?status=ACTIVE&size=200         | 48 | 48 | u-01 u-02 u-03 u-04  | createdAt,asc",
            "/users?status=ACTIVE&q=user-1         | 8  | 8  | u-11 u-12 u-13 u-14  | createdAt,asc",
            // API keys: default size 50, createdAt ascending
            "/api-keys                             | 60 | 50 | k-00 k-01            | createdAt,asc",
            "/api-keys?size=2                      | 60 | 2  | k-00 k-01            | createdAt,asc",
            "/api-keys?size=2&page=29              | 60 | 2  | k-58 k-59            | createdAt,asc",
            "/api-keys?size=200                    | 60 | 60 | k-00 k-01            | createdAt,asc",
            "/api-keys?size=2&sort=createdAt,desc  | 60 | 2  | k-59 k-58            | createdAt,desc",
            "/api-keys?size=2&sort=name,desc       | 60 | 2  | k-07 k-59            | name,desc",
            "/api-keys?size=2&sort=name,ASC        | 60 | 2  | k-00 k-01            | name,asc",
            "/api-keys?size=2&sort=expiresAt       | 60 | 2  | k-01 k-05            | expiresAt,asc",
            "/api-keys?q=KEY-1                     | 10 | 10 | k-10 k-11            | createdAt,asc",
            "/api-keys?q=100%25_                   | 1  | 1  | k-07                 | createdAt,asc",
            "/api-keys?q=key-b                     | 0  | 0  | ''                   | createdAt,asc",
            "/api-keys?status=REVOKED              | 15 | 15 | k-00 k-04 k-08       | createdAt,asc",
            "/api-keys?status=EXPIRED              | 15 | 15 | k-01 k-05 k-09       | createdAt,asc",
            "/api-keys?status=ACTIVE               | 30 | 30 | k-02 k-03 k-06 k-07  | createdAt,asc",
            "/api-keys?ownerUserId=u-01            | 20 | 20 | k-00 k-03 k-06       | createdAt,asc",
            "/api-keys?ownerUserId=u-01&status=ACTIVE&sort=createdAt,desc | 10 | 10 | k-54 k-51 k-42 | createdAt,desc",
            "/api-keys?ownerUserId=ub-1            | 0  | 0  | ''                   | createdAt,asc",
    })
    void pagesSortsAndFilters(String query, long total, int shown, String first, String sort) throws Exception {
        JsonNode body = ok("/admin/v1/tenants/ta" + query);
        String id = query.startsWith("/users") ? "userId" : "apiKeyId";
        assertThat(body.get("tenantId").asString()).isEqualTo("ta");
        assertThat(body.get("page").get("totalElements").asLong()).isEqualTo(total);
        assertThat(body.get("items")).hasSize(shown);
        List<String> expected = first.isBlank() ? List.of() : Arrays.asList(first.split(" "));
        assertThat(values(body.get("items"), id).subList(0, expected.size())).containsExactlyElementsOf(expected);
        assertThat(body.get("sort").asString()).isEqualTo(sort);
        int size = body.get("page").get("size").asInt();
        assertThat(body.get("page").get("totalPages").asLong()).isEqualTo((total + size - 1) / size);
        assertThat(values(body.get("items"), id)).allMatch(x -> !x.startsWith("ub-") && !x.startsWith("kb-"));
    }

    @Test
    void defaultPageFiguresAndWhatAnItemHolds() throws Exception {
        JsonNode users = ok("/admin/v1/tenants/ta/users?size=3");
        assertThat(users.get("page").toString()).isEqualTo("{\"number\":0,\"size\":3,\"totalElements\":60,\"totalPages\":20}");
        assertThat(ok("/admin/v1/tenants/ta/users").get("page").get("size").asInt()).isEqualTo(50);
        JsonNode u0 = users.get("items").get(0);
        assertThat(u0.get("removedAt").asString()).isEqualTo(T0.plusSeconds(1000).toString());
        assertThat(u0.get("identity").toString()).isEqualTo("{\"state\":\"not_provisioned\"}");
        assertThat(users.get("items").get(1).get("identity").get("state").asString()).isEqualTo("provisioned");
        JsonNode failing = users.get("items").get(2);
        assertThat(failing.get("role").asString()).isEqualTo("Reader");
        assertThat(failing.get("identity").get("attempts").asInt()).isEqualTo(3);
        assertThat(failing.get("identity").get("lastError").asString()).isEqualTo("ConnectException: refused");

        HttpResponse<String> raw = get("/admin/v1/tenants/ta/api-keys?size=200");
        assertThat(raw.body()).doesNotContain("SECRET-HASH").doesNotContain("keyHash").doesNotContain("llmp_bbbbbb");
        JsonNode keys = JSON.readTree(raw.body()).get("items");
        assertThat(values(keys, "status").subList(0, 4)).containsExactly("REVOKED", "EXPIRED", "ACTIVE", "ACTIVE");
        assertThat(keys.get(0).get("revokedAt").asString()).isEqualTo(T0.plusSeconds(500).toString());
        assertThat(keys.get(0).get("ownerUserId").asString()).isEqualTo("u-01");
        assertThat(keys.get(2).get("allowedModels").toString()).isEqualTo("[\"gpt-4o-mini\"]");
        assertThat(keys.get(3).get("allowedModels").isNull()).isTrue();
        assertThat(keys.get(3).get("tenantId").asString()).isEqualTo("ta");
    }

    @Test
    void anotherTenantsListsNeverShowThisTenantsRows() throws Exception {
        JsonNode users = ok("/admin/v1/tenants/tb/users?q=ada");
        assertThat(values(users.get("items"), "userId")).containsExactly("ub-2");
        JsonNode keys = ok("/admin/v1/tenants/tb/api-keys?ownerUserId=u-01&size=200");
        assertThat(values(keys.get("items"), "apiKeyId")).containsExactly("kb-0");
        assertThat(keys.get("tenantId").asString()).isEqualTo("tb");
        assertThat(ok("/admin/v1/tenants/tb/api-keys?q=key").get("page").get("totalElements").asLong()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0} → {1} {2}")
    @CsvSource({
            "/admin/v1/tenants/ta/users?size=0, 400, size",
            "/admin/v1/tenants/ta/users?size=201, 400, size",
            "/admin/v1/tenants/ta/users?page=-1, 400, page",
            "/admin/v1/tenants/ta/users?page=x, 400, page",
            "/admin/v1/tenants/ta/users?sort=bogus, 400, sort",
            "/admin/v1/tenants/ta/users?sort=email%2Csideways, 400, sort",
            "/admin/v1/tenants/ta/users?status=GONE, 400, status",
            "/admin/v1/tenants/ta/api-keys?size=0, 400, size",
            "/admin/v1/tenants/ta/api-keys?size=201, 400, size",
            "/admin/v1/tenants/ta/api-keys?page=-1, 400, page",
            "/admin/v1/tenants/ta/api-keys?sort=bogus, 400, sort",
            "/admin/v1/tenants/ta/api-keys?sort=keyHash, 400, sort",
            "/admin/v1/tenants/ta/api-keys?status=DELETED, 400, status",
            "/admin/v1/tenants/nope/users, 404, tenantId",
            "/admin/v1/tenants/nope/api-keys, 404, tenantId",
    })
    void badParametersAndUnknownTenantsAreProblemJsonNamingTheParameter(String path, int status, String field) throws Exception {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(r.body());
        assertThat(problem.get("field").asString()).isEqualTo(field);
        assertThat(problem.get("code").asString()).isEqualTo(status == 404 ? "not_found" : "invalid_" + field);
    }
}
