package io.llmproxy.command.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import io.llmproxy.command.CommandSideApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Commands that race for the same aggregate on two command-side instances sharing one event store
 * (issue #9 part 5, #14): each instance locks an aggregate only in its own JVM, so the event
 * store's (aggregate, sequence) constraint decides, the loser is retried by the command gateway and, if it still conflicts,
 * answered 409 problem JSON — never 500, never a half-applied state.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.admin.token=test-admin-token"})
class ConcurrentCommandsTest {

    static final int RACERS = 12;

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    static String dbUrl;
    static ConfigurableApplicationContext second;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        String url = LocalPostgres.freshDatabase("llmproxy_concurrent_cmd_it");
        dbUrl = url;
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.admin.secret-key", () -> SECRET);
    }

    /** A second command-side instance on the same event store: the racers alternate between the two. */
    @AfterAll
    static void stopSecond() {
        if (second != null) {
            second.close();
        }
    }

    int portOf(int racer) {
        if (racer % 2 == 0) {
            return port;
        }
        if (second == null) {
            second = new SpringApplicationBuilder(CommandSideApplication.class).run("--server.port=0",
                    "--spring.datasource.url=" + dbUrl,
                    "--spring.datasource.username=" + LocalPostgres.user(),
                    "--spring.datasource.password=" + LocalPostgres.password(),
                    "--llmproxy.admin.token=test-admin-token",
                    "--llmproxy.admin.secret-key=" + SECRET);
        }
        return ((WebServerApplicationContext) second).getWebServer().getPort();
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    JsonMapper json;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(0, method, path, body);
    }

    HttpResponse<String> send(int racer, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portOf(racer) + path))
                .header("Authorization", "Bearer test-admin-token")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String tenant() throws Exception {
        HttpResponse<String> r = send("POST", "/admin/v1/tenants", "{\"name\":\"Race\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json.readTree(r.body()).get("tenantId").asString();
    }

    /** name, request i → (method, path, body) against a fresh tenant t */
    record Race(String name, String method, String path, IntFunction<String> body) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> races() {
        return Stream.of(
                Arguments.of(new Race("the same new role assignment", "POST", "/admin/v1/role-assignments",
                        i -> "{\"principal\":\"racer@example.org\",\"role\":\"Developer\",\"tenantId\":\"%T\"}")),
                Arguments.of(new Race("renames of one tenant", "PUT", "/admin/v1/tenants/%T",
                        i -> "{\"name\":\"name-" + i + "\"}")),
                Arguments.of(new Race("users added to one tenant", "POST", "/admin/v1/tenants/%T/users",
                        i -> "{\"email\":\"user" + i + "@example.org\",\"role\":\"Developer\"}")),
                Arguments.of(new Race("keys issued in one tenant", "POST", "/admin/v1/tenants/%T/api-keys",
                        i -> "{\"name\":\"key-" + i + "\"}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("races")
    void racingCommandsNeverAnswer500(Race race) throws Exception {
        String t = tenant();
        portOf(1);
        long eventsBefore = jdbc.queryForObject("SELECT count(*) FROM domainevententry", Long.class);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(RACERS)) {
            for (int i = 0; i < RACERS; i++) {
                int n = i;
                Callable<HttpResponse<String>> call = () -> {
                    start.await();
                    return send(n, race.method(), race.path().replace("%T", t), race.body().apply(n).replace("%T", t));
                };
                answers.add(pool.submit(call));
            }
            start.countDown();
        }
        int succeeded = 0;
        for (Future<HttpResponse<String>> f : answers) {
            HttpResponse<String> r = f.get();
            assertThat(r.statusCode()).as(r.body()).isIn(200, 201, 204, 409);
            if (r.statusCode() == 409) {
                assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/problem+json");
                assertThat(json.readTree(r.body()).get("code").asString()).isEqualTo("concurrent_modification");
            } else {
                succeeded++;
            }
        }
        long added = jdbc.queryForObject("SELECT count(*) FROM domainevententry", Long.class) - eventsBefore;
        // no half-applied state: every answered success is one event (an idempotent repeat adds none), every 409 none
        if (race.name().startsWith("the same")) {
            assertThat(added).isEqualTo(1);
        } else {
            assertThat(added).isEqualTo(succeeded);
        }
        // per aggregate, the event sequence has no gap and no duplicate
        List<Long> seqs = jdbc.queryForList("SELECT sequencenumber FROM domainevententry WHERE aggregateidentifier = ? "
                + "ORDER BY sequencenumber", Long.class, t);
        for (int i = 0; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).isEqualTo((long) i);
        }
    }
}
