package io.llmproxy.query.replay;

import io.llmproxy.query.QuerySideApplication;
import io.llmproxy.testsupport.LocalPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One query-side instance of a multi-instance test: a whole {@link QuerySideApplication} on a random
 * port, named {@code id} in the token store ({@code LLMPROXY_NODE_ID}), on a shared database and broker.
 */
final class QueryNode implements AutoCloseable {

    static final String TOKEN = "test-admin-token";

    final String id;
    final ConfigurableApplicationContext context;
    final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private QueryNode(String id, ConfigurableApplicationContext context) {
        this.id = id;
        this.context = context;
        this.port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    static QueryNode start(String id, String databaseUrl, String kafkaBrokers) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(QuerySideApplication.class)
                .registerShutdownHook(false)
                .run("--server.port=0",
                        "--LLMPROXY_NODE_ID=" + id,
                        "--spring.datasource.url=" + databaseUrl,
                        "--spring.datasource.username=" + LocalPostgres.user(),
                        "--spring.datasource.password=" + LocalPostgres.password(),
                        "--spring.kafka.bootstrap-servers=" + kafkaBrokers,
                        "--llmproxy.query.admin-token=" + TOKEN,
                        "--llmproxy.query.replay.timeout=45s",
                        "--logging.level.root=WARN",
                        "--logging.level.io.llmproxy.query.replay=INFO");
        return new QueryNode(id, context);
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return http.send(request(path, TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        return http.send(request(path, token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** @return the 200 answer's JSON; fails on any other status */
    JsonNode json(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path, TOKEN);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + " on " + id + " → " + response.statusCode() + " " + response.body());
        }
        return bean(JsonMapper.class).readTree(response.body());
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    @Override
    public void close() {
        context.close();
    }
}
