package io.llmproxy.command.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The admin command API over HTTP on the real PostgreSQL: strict input, problem JSON naming the field, events stored. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.admin.token=test-admin-token"})
class AdminApiTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_command_it", registry::add);
        registry.add("llmproxy.admin.secret-key", () -> Base64.getEncoder().encodeToString(new byte[32]));
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;
    @Autowired
    JdbcTemplate jdbc;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer test-admin-token")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode problem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("application/problem+json");
        return json.readTree(response.body());
    }

    @Test
    void typeConfusionUnknownFieldsAndControlCharactersAre400NamingTheField() throws Exception {
        assertThat(problem(send("POST", "/admin/v1/tenants", "{\"name\":123}"), 400).get("field").asString()).isEqualTo("name");
        assertThat(problem(send("POST", "/admin/v1/tenants", "{\"name\":\"a\",\"nmae\":\"b\"}"), 400).get("field").asString())
                .isEqualTo("nmae");
        assertThat(problem(send("POST", "/admin/v1/tenants", "{\"name\":\"a\\u0000b\"}"), 400).get("detail").asString())
                .isEqualTo("name must not contain control characters");
        String tenantId = json.readTree(send("POST", "/admin/v1/tenants", "{\"name\":\"Acme\"}").body()).get("tenantId").asString();
        assertThat(problem(send("POST", "/admin/v1/tenants/" + tenantId + "/users", "{\"email\":\"a@b.io\",\"role\":0}"), 400)
                .get("field").asString()).isEqualTo("role");
        assertThat(problem(send("POST", "/admin/v1/tenants/" + tenantId + "/users", "{\"email\":\"a@b.io\",\"role\":\"developer\"}"), 400)
                .get("field").asString()).isEqualTo("role");
        assertThat(problem(send("PUT", "/admin/v1/tenants/" + tenantId + "/quota", "{\"requestsPerMinute\":1.5}"), 400)
                .get("field").asString()).isEqualTo("requestsPerMinute");
        assertThat(problem(send("PUT", "/admin/v1/tenants/" + tenantId + "/quota", "{\"monthlySpendLimitUsd\":\"1e2000000\"}"), 400)
                .get("field").asString()).isEqualTo("monthlySpendLimitUsd");
        HttpResponse<String> nested = send("PUT", "/admin/v1/routes/m1", "{\"targets\":[{\"providerId\":\"p\"}]}");
        JsonNode nestedProblem = problem(nested, 400);
        assertThat(nestedProblem.get("field").asString()).isEqualTo("targets[0].model");
        assertThat(nestedProblem.get("type").asString()).isEqualTo("https://llmproxy.io/problems/invalid_targets_0_.model");
        // a dot segment in the path is refused by Spring Security's firewall before it reaches the route's {*model}
        assertThat(problem(send("PUT", "/admin/v1/routes/a/../b", "{\"targets\":[{\"providerId\":\"p\",\"model\":\"m\"}]}"), 400)
                .get("code").asString()).isEqualTo("invalid_path");
        assertThat(problem(send("POST", "/admin/v1/providers",
                "{\"name\":\"x\",\"type\":\"openai\",\"baseUrl\":\"http://user:pw@127.0.0.1/v1\",\"apiKey\":\"k\"}"), 400)
                .get("field").asString()).isEqualTo("baseUrl");
        assertThat(problem(send("POST", "/admin/v1/providers",
                "{\"name\":\"x\",\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:5100/v1\",\"apiKey\":\"sk-a\\r\\nX: y\"}"), 400)
                .get("field").asString()).isEqualTo("apiKey");
        // only ollama (no auth) may be registered without an apiKey
        assertThat(problem(send("POST", "/admin/v1/providers",
                "{\"name\":\"x\",\"type\":\"anthropic\",\"baseUrl\":\"http://127.0.0.1:5100\",\"apiKey\":\"\"}"), 400)
                .get("field").asString()).isEqualTo("apiKey");
        assertThat(send("POST", "/admin/v1/providers",
                "{\"name\":\"local-ollama\",\"type\":\"ollama\",\"baseUrl\":\"http://127.0.0.1:11434\"}").statusCode()).isEqualTo(201);
        assertThat(send("POST", "/admin/v1/providers",
                "{\"name\":\"local-ollama\",\"type\":\"ollama\",\"baseUrl\":\"http://127.0.0.1:11434\",\"apiKey\":\"\"}").statusCode()).isEqualTo(201);
        assertThat(problem(send("GET", "/admin/v1/nothing-here", null), 404).get("code").asString()).isEqualTo("no_such_endpoint");
        HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/v1/tenants"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(noToken.headers().firstValue("content-type").orElse("")).isEqualTo("application/problem+json;charset=UTF-8");
    }

    @Test
    void theStoreDownPolicyIsAcceptedAtTenantLevelAndStored() throws Exception {
        String tenantId = json.readTree(send("POST", "/admin/v1/tenants", "{\"name\":\"Policy\"}").body()).get("tenantId").asString();
        assertThat(send("PUT", "/admin/v1/tenants/" + tenantId + "/quota",
                "{\"requestsPerMinute\":5,\"monthlySpendLimitUsd\":\"12.50\",\"whenQuotaStoreDown\":\"fail-open\"}").statusCode())
                .isEqualTo(204);
        String payload = jdbc.queryForObject("SELECT convert_from(payload, 'UTF8') FROM domainevententry "
                + "WHERE aggregateidentifier = ? AND payloadtype LIKE '%QuotaPolicySet'", String.class, tenantId);
        assertThat(payload).contains("\"whenQuotaStoreDown\":\"fail-open\"", "\"monthlySpendLimitUsd\":\"12.50\"",
                "\"requestsPerMinute\":5");
        assertThat(problem(send("PUT", "/admin/v1/tenants/" + tenantId + "/quota", "{\"whenQuotaStoreDown\":\"maybe\"}"), 400)
                .get("field").asString()).isEqualTo("whenQuotaStoreDown");
    }

    @Test
    void pricesAreEventsWithDecimalAmountsAndInvalidOnesAre400NamingTheField() throws Exception {
        String providerId = json.readTree(send("POST", "/admin/v1/providers",
                "{\"name\":\"sim\",\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:5100/v1\",\"apiKey\":\"sk-x\"}").body())
                .get("providerId").asString();
        HttpResponse<String> created = send("POST", "/admin/v1/prices", "{\"providerId\":\"" + providerId
                + "\",\"model\":\"gpt-4o\",\"inputPerMillionUsd\":\"2.50\",\"outputPerMillionUsd\":10,"
                + "\"cachedInputPerMillionUsd\":1.25,\"effectiveFrom\":\"2026-11-01T00:00:00Z\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json.readTree(created.body()).get("priceListId").asString()).isEqualTo(providerId + "/gpt-4o");
        String payload = jdbc.queryForObject("SELECT convert_from(payload, 'UTF8') FROM domainevententry "
                + "WHERE aggregateidentifier = ? AND payloadtype LIKE '%PriceSet'", String.class, providerId + "/gpt-4o");
        assertThat(payload).contains("\"inputPerMillionUsd\":2.5", "\"outputPerMillionUsd\":10",
                "\"cachedInputPerMillionUsd\":1.25", "\"model\":\"gpt-4o\"");
        String base = "{\"providerId\":\"" + providerId + "\",\"model\":\"gpt-4o\",\"outputPerMillionUsd\":\"1\",";
        assertThat(problem(send("POST", "/admin/v1/prices", base + "\"inputPerMillionUsd\":\"abc\"}"), 400)
                .get("field").asString()).isEqualTo("inputPerMillionUsd");
        assertThat(problem(send("POST", "/admin/v1/prices", base + "\"inputPerMillionUsd\":\"1e2000000\"}"), 400)
                .get("field").asString()).isEqualTo("inputPerMillionUsd");
        for (String loose : new String[] {"\"+1\"", "\" 1 \"", "\"-0\"", "\"1,5\"", "true"}) {
            assertThat(problem(send("POST", "/admin/v1/prices", base + "\"inputPerMillionUsd\":" + loose + "}"), 400)
                    .get("field").asString()).as(loose).isEqualTo("inputPerMillionUsd");
        }
        assertThat(problem(send("POST", "/admin/v1/prices", base + "\"inputPerMillionUsd\":-1}"), 400)
                .get("code").asString()).isEqualTo("invalid_inputPerMillionUsd");
        assertThat(problem(send("POST", "/admin/v1/prices", base + "\"inputPerMillionUsd\":1,\"effectiveFrom\":\"2026-10-01T00:00:00Z\"}"), 409)
                .get("field").asString()).isEqualTo("effectiveFrom");
        assertThat(problem(send("POST", "/admin/v1/prices", "{\"providerId\":\"nope\",\"model\":\"m\","
                + "\"inputPerMillionUsd\":1,\"outputPerMillionUsd\":1}"), 404).get("field").asString()).isEqualTo("providerId");
    }
}
