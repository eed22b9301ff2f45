package io.llmproxy.command.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Routes with several targets and a policy (issue #11): a valid definition is stored as RouteDefined
 * revision 3 with weights, priorities and the policy; every invalid one is refused naming the field
 * (a table of variants), fallback cycles and unknown fallbacks included, and stores nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.admin.token=test-admin-token"})
class RouteDefinitionApiTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_command_routes_it", registry::add);
        registry.add("llmproxy.admin.secret-key", () -> Base64.getEncoder().encodeToString(new byte[32]));
    }

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;
    @Autowired
    JdbcTemplate jdbc;

    final HttpClient http = HttpClient.newHttpClient();
    static String p1;
    static String p2;

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer test-admin-token").header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @BeforeEach
    void providers() throws Exception {
        synchronized (RouteDefinitionApiTest.class) {
            if (p1 == null) {
                p1 = provider("one");
                p2 = provider("two");
                assertThat(send("PUT", "/admin/v1/routes/cheap", "{\"targets\":[{\"providerId\":\"" + p2 + "\",\"model\":\"m\"}]}")
                        .statusCode()).isEqualTo(204);
            }
        }
    }

    String provider(String name) throws Exception {
        HttpResponse<String> r = send("POST", "/admin/v1/providers", "{\"name\":\"" + name
                + "\",\"type\":\"openai\",\"baseUrl\":\"http://127.0.0.1:9/v1\",\"apiKey\":\"sk-x\"}");
        assertThat(r.statusCode()).isEqualTo(201);
        return json.readTree(r.body()).get("providerId").asString();
    }

    long routeEvents() {
        return jdbc.queryForObject("SELECT count(*) FROM domainevententry WHERE payloadtype LIKE '%RouteDefined'", Long.class);
    }

    @Test
    void aRouteWithTargetsWeightsAndAPolicyIsStoredAsRevision3() throws Exception {
        String body = "{\"targets\":[{\"providerId\":\"" + p1 + "\",\"model\":\"a\",\"weight\":70,\"priority\":0},"
                + "{\"providerId\":\"" + p2 + "\",\"model\":\"b\",\"weight\":30,\"priority\":1}],"
                + "\"strategy\":\"weighted\",\"fallbacks\":[\"cheap\"],\"retry\":{\"attempts\":4,\"backoffMs\":50},"
                + "\"timeouts\":{\"ttfbMs\":2000,\"idleMs\":30000}}";
        assertThat(send("PUT", "/admin/v1/routes/smart", body).statusCode()).isEqualTo(204);
        long before = routeEvents();
        assertThat(send("PUT", "/admin/v1/routes/smart", body).statusCode()).as("the same again is a no-op").isEqualTo(204);
        assertThat(routeEvents()).isEqualTo(before);
        var row = jdbc.queryForMap("SELECT convert_from(payload, 'UTF8') AS p, payloadrevision AS r FROM domainevententry "
                + "WHERE aggregateidentifier = 'smart'");
        assertThat(row.get("r")).isEqualTo("3");
        JsonNode payload = json.readTree((String) row.get("p"));
        assertThat(payload.get("targets").get(0).get("weight").asInt()).isEqualTo(70);
        assertThat(payload.get("targets").get(1).get("priority").asInt()).isEqualTo(1);
        JsonNode policy = payload.get("policy");
        assertThat(policy.get("strategy").asString()).isEqualTo("weighted");
        assertThat(policy.get("fallbacks").get(0).asString()).isEqualTo("cheap");
        assertThat(policy.get("retry").get("attempts").asInt()).isEqualTo(4);
        assertThat(policy.get("timeouts").get("ttfbMs").asInt()).isEqualTo(2000);
        assertThat(policy.get("timeouts").has("totalMs")).isFalse();
        // a route without a policy stores a null one, and its targets no weight or priority
        assertThat(new String(jdbc.queryForObject("SELECT payload FROM domainevententry WHERE aggregateidentifier = 'cheap'",
                byte[].class), StandardCharsets.UTF_8)).contains("\"policy\":null").doesNotContain("weight", "priority");
    }

    @ParameterizedTest(name = "{0} → {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "weight 0                  | 400 | targets[0].weight     | {'targets':[{'providerId':'P1','model':'a','weight':0}]}",
            "weight 1001               | 400 | targets[0].weight     | {'targets':[{'providerId':'P1','model':'a','weight':1001}]}",
            "negative priority         | 400 | targets[1].priority   | {'targets':[{'providerId':'P1','model':'a'},{'providerId':'P2','model':'b','priority':-1}]}",
            "unknown provider          | 404 | targets[0].providerId | {'targets':[{'providerId':'nope','model':'a'}]}",
            "unknown strategy          | 400 | strategy              | {'targets':[{'providerId':'P1','model':'a'}],'strategy':'random'}",
            "retries above the cap     | 400 | retry.attempts        | {'targets':[{'providerId':'P1','model':'a'}],'retry':{'attempts':11}}",
            "zero attempts             | 400 | retry.attempts        | {'targets':[{'providerId':'P1','model':'a'}],'retry':{'attempts':0}}",
            "backoff too long          | 400 | retry.backoffMs       | {'targets':[{'providerId':'P1','model':'a'}],'retry':{'backoffMs':10001}}",
            "ttfb too short            | 400 | timeouts.ttfbMs       | {'targets':[{'providerId':'P1','model':'a'}],'timeouts':{'ttfbMs':5}}",
            "fallback to itself        | 400 | fallbacks[0]          | {'targets':[{'providerId':'P1','model':'a'}],'fallbacks':['loop-a']}",
            "fallback repeated         | 400 | fallbacks[1]          | {'targets':[{'providerId':'P1','model':'a'}],'fallbacks':['cheap','cheap']}",
            "unknown fallback model    | 404 | fallbacks[0]          | {'targets':[{'providerId':'P1','model':'a'}],'fallbacks':['no-such-model']}",
            "too many fallbacks        | 400 | fallbacks             | {'targets':[{'providerId':'P1','model':'a'}],'fallbacks':['a','b','c','d','e','f']}"})
    void anInvalidRouteIsRefusedNamingTheFieldAndStoresNothing(String name, int status, String field, String body)
            throws Exception {
        long before = routeEvents();
        HttpResponse<String> r = send("PUT", "/admin/v1/routes/loop-a", body.replace('\'', '"').replace("P1", p1)
                .replace("P2", p2));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(json.readTree(r.body()).get("field").asString()).isEqualTo(field);
        assertThat(routeEvents()).isEqualTo(before);
    }

    @Test
    void aProviderHoldsSeveralWriteOnlyEncryptedCredentials() throws Exception {
        HttpResponse<String> r = send("POST", "/admin/v1/providers", "{\"name\":\"multi\",\"type\":\"openai\","
                + "\"baseUrl\":\"http://127.0.0.1:9/v1\",\"apiKey\":\"sk-first-secret\",\"apiKeys\":[\"sk-second-secret\","
                + "\"sk-third-secret\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.body()).doesNotContain("secret");
        String id = json.readTree(r.body()).get("providerId").asString();
        var row = jdbc.queryForMap("SELECT convert_from(payload, 'UTF8') AS p, payloadrevision AS r FROM domainevententry "
                + "WHERE aggregateidentifier = ?", id);
        assertThat(row.get("r")).isEqualTo("2");
        String payload = (String) row.get("p");
        assertThat(payload).doesNotContain("sk-first-secret", "sk-second-secret", "sk-third-secret");
        assertThat(json.readTree(payload).get("additionalApiKeyCiphertexts")).hasSize(2);
        assertThat(json.readTree(payload).get("additionalApiKeyCiphertexts").get(0).asString()).startsWith("v1:");
        HttpResponse<String> bad = send("POST", "/admin/v1/providers", "{\"name\":\"x\",\"type\":\"openai\","
                + "\"baseUrl\":\"http://127.0.0.1:9/v1\",\"apiKey\":\"sk-a\",\"apiKeys\":[\"sk-b\",\"\"]}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json.readTree(bad.body()).get("field").asString()).isEqualTo("apiKeys[1]");
    }

    @Test
    void aFallbackChainThatComesBackIsACycleRefusedAtConfigurationTime() throws Exception {
        String target = "{\"targets\":[{\"providerId\":\"" + p1 + "\",\"model\":\"a\"}]";
        assertThat(send("PUT", "/admin/v1/routes/chain-x", target + "}").statusCode()).isEqualTo(204);
        assertThat(send("PUT", "/admin/v1/routes/chain-y", target + ",\"fallbacks\":[\"chain-x\"]}").statusCode()).isEqualTo(204);
        assertThat(send("PUT", "/admin/v1/routes/chain-z", target + ",\"fallbacks\":[\"chain-y\"]}").statusCode()).isEqualTo(204);
        long before = routeEvents();
        // x → z → y → x
        HttpResponse<String> r = send("PUT", "/admin/v1/routes/chain-x", target + ",\"fallbacks\":[\"chain-z\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json.readTree(r.body()).get("field").asString()).isEqualTo("fallbacks[0]");
        assertThat(json.readTree(r.body()).get("detail").asString()).contains("cycle");
        assertThat(routeEvents()).isEqualTo(before);
    }
}
