package io.llmproxy.command.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.testsupport.AdminEndpoints;
import io.llmproxy.testsupport.AdminEndpoints.Endpoint;
import io.llmproxy.testsupport.AdminEndpoints.NullElement;
import io.llmproxy.testsupport.LocalPostgres;
import io.llmproxy.testsupport.RawHttp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 9, part 5 (command-side): odd media types, null list elements, {@code /error} and
 * Tomcat's own protocol errors are answered with problem JSON and a 4xx, never a 500 or HTML.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.admin.token=test-admin-token"})
class AdminFailureAnswersTest {

    static final String TOKEN = "Authorization: Bearer test-admin-token";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_command_failures", registry::add);
        registry.add("llmproxy.admin.secret-key", () -> Base64.getEncoder().encodeToString(new byte[32]));
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    JsonMapper json;
    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mapping;

    List<Endpoint> withBody() {
        List<Endpoint> endpoints = AdminEndpoints.of(mapping).stream().filter(e -> e.body() != null).toList();
        assertThat(endpoints).extracting(Endpoint::toString).contains("PUT /admin/v1/routes/{*model}", "POST /admin/v1/tenants");
        return endpoints;
    }

    long events() {
        return jdbc.queryForObject("SELECT count(*) FROM domainevententry", Long.class);
    }

    /** Every POST/PUT that reads a body, with each odd media type: 415 (or 400) problem JSON, nothing stored. */
    @ParameterizedTest(name = "Content-Type {0}")
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
            "*/*", "text/plain", "application/json; charset=bogus", "NONE", "application/x-www-form-urlencoded",
            "application/*", "application/json; charset=\"", "not a media type", "application/xml",
            "application/octet-stream", "multipart/form-data; boundary=x", "text/json", "application/json; charset=x-nonexistent",
            "*/json", "application/json; charset=utf-8; charset=bogus"})
    void oddMediaTypesAre415Or400ProblemJson(String contentType) throws Exception {
        long before = events();
        SoftAssertions soft = new SoftAssertions();
        for (Endpoint endpoint : withBody()) {
            List<String> headers = new ArrayList<>(List.of(TOKEN));
            if (contentType != null) {
                headers.add("Content-Type: " + contentType);
            }
            RawHttp.Answer answer = RawHttp.send(port, endpoint.method(), endpoint.path(), endpoint.body(),
                    headers.toArray(String[]::new));
            String what = endpoint + " [" + contentType + "] → " + answer.status() + " " + answer.body();
            soft.assertThat(answer.status()).as(what).isIn(400, 415);
            soft.assertThat(answer.header("content-type")).as(what).startsWith("application/problem+json");
            soft.assertThat(json.readTree(answer.body()).path("code").asString()).as(what)
                    .isIn("unsupported_media_type", "invalid_json");
        }
        soft.assertThat(events()).isEqualTo(before);
        soft.assertAll();
    }

    /** Every list field of every command body, with a null element: 400 naming the element, nothing stored. */
    @Test
    void nullElementsInAnyListFieldAre400NamingTheElement() throws Exception {
        List<NullElement> cases = withBody().stream().flatMap(e -> AdminEndpoints.nullElements(e).stream()).toList();
        assertThat(cases).extracting(NullElement::toString).contains(
                "PUT /admin/v1/routes/{*model} targets[1]", "PUT /admin/v1/tenants/{tenantId}/routes/{*model} targets[1]",
                "POST /admin/v1/tenants/{tenantId}/api-keys allowedModels[1]");
        long before = events();
        SoftAssertions soft = new SoftAssertions();
        for (NullElement c : cases) {
            RawHttp.Answer answer = RawHttp.send(port, c.endpoint().method(), c.endpoint().path(), c.body(), TOKEN,
                    "Content-Type: application/json");
            String what = c + " " + c.body() + " → " + answer.status() + " " + answer.body();
            soft.assertThat(answer.status()).as(what).isEqualTo(400);
            JsonNode problem = json.readTree(answer.body());
            soft.assertThat(problem.get("field").asString()).as(what).isEqualTo(c.field());
            soft.assertThat(problem.get("detail").asString()).as(what).isEqualTo(c.field() + " must not be null");
        }
        // the example, the only element being null
        RawHttp.Answer only = RawHttp.send(port, "PUT", "/admin/v1/routes/m1", "{\"targets\":[null]}", TOKEN,
                "Content-Type: application/json");
        soft.assertThat(only.status()).as(only.body()).isEqualTo(400);
        soft.assertThat(json.readTree(only.body()).get("field").asString()).isEqualTo("targets[0]");
        soft.assertThat(events()).isEqualTo(before);
        soft.assertAll();
    }

    @Test
    void errorPathIs401WithoutAndA404ProblemWithTheToken() throws Exception {
        RawHttp.Answer anonymous = RawHttp.send(port, "GET", "/error", null);
        assertThat(anonymous.status()).isEqualTo(401);
        for (String method : List.of("GET", "POST", "PUT", "DELETE")) {
            RawHttp.Answer answer = RawHttp.send(port, method, "/error", null, TOKEN);
            assertThat(answer.status()).as(method + " " + answer.body()).isEqualTo(404);
            assertThat(answer.header("content-type")).startsWith("application/problem+json");
            assertThat(json.readTree(answer.body()).get("code").asString()).isEqualTo("no_such_endpoint");
        }
    }

    /** What Tomcat answers itself, before the application: JSON, no HTML, no server name or version. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "invalid method|GE@T /admin/v1/tenants HTTP/1.1|400|bad_request",
            "HTTP/2.5|GET /admin/v1/tenants HTTP/2.5|505|http_version_not_supported",
            "HTTP/1.2|GET /admin/v1/tenants HTTP/1.2|505|http_version_not_supported",
            "bad request line|GET /admin/v1/ten ants HTTP/1.1|400|bad_request",
            "control character in target|GET /admin/v1/\u0001 HTTP/1.1|400|bad_request",
            "encoded slash|GET /admin%2Fv1/tenants HTTP/1.1|400|bad_request",
            "backslash|GET /admin\\v1/tenants HTTP/1.1|400|bad_request",
            "unknown transfer coding|POST /admin/v1/tenants HTTP/1.1|501|not_implemented"})
    void tomcatsOwnErrorsAreJsonWithoutServerInfo(String name, String requestLine, int status, String code) throws Exception {
        String extra = name.equals("unknown transfer coding") ? "Transfer-Encoding: gzip2\r\n" : "";
        String request = requestLine + "\r\nHost: 127.0.0.1\r\n" + TOKEN + "\r\n" + extra + "Connection: close\r\n\r\n";
        RawHttp.Answer answer = RawHttp.sendBytes(port, request.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(answer.status()).as(answer.raw()).isEqualTo(status);
        assertThat(answer.raw()).as(answer.raw()).doesNotContainIgnoringCase("<html").doesNotContain("Tomcat", "11.0");
        assertThat(answer.header("server")).isEmpty();
        assertThat(answer.header("content-type")).as(answer.raw()).startsWith("application/problem+json");
        JsonNode problem = json.readTree(answer.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("code").asString()).isEqualTo(code);
        assertThat(problem.get("type").asString()).isEqualTo("https://llmproxy.io/problems/" + code);
    }
}
