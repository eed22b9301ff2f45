package io.llmproxy.edge.http;

import static org.awaitility.Awaitility.await;

import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.SimulatorServer;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The read model the edge's HTTP-level tests need: one tenant with one key, the simulator as an
 * OpenAI provider, routes {@code gpt-4o-mini} and {@code slow} (1.2 s between stream events).
 */
final class EdgeTestStack {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);

    final String tenant = "tenant-http-" + UUID.randomUUID();
    final String key = ApiKeys.generate();
    final String keyId = "kh-" + UUID.randomUUID();
    private boolean ready;

    /** Creates the database {@code name} with the rows above and registers the edge's properties. */
    void register(DynamicPropertyRegistry registry, String name) {
        int simulator = SimulatorServer.port();
        String dbUrl = ReadModelDatabase.create(name);
        JdbcTemplate db = ReadModelDatabase.jdbc(dbUrl);
        SecretCipher cipher = new SecretCipher(SECRET);
        Timestamp t0 = Timestamp.from(Instant.parse("2026-11-29T10:00:00Z"));
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'http', ?, 1)", tenant, t0);
        db.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES (?, ?, 'http', ?, ?, 'ACTIVE', ?, 2)", keyId, tenant, ApiKeys.hash(key), ApiKeys.displayPrefix(key), t0);
        db.update("INSERT INTO rm_provider VALUES ('p-sim', 'sim', 'openai', ?, ?, ?, 3)",
                "http://127.0.0.1:" + simulator + "/v1", cipher.encrypt("sk-sim-secret"), t0);
        String route = "INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES (?, ?, ?::jsonb, ?, ?)";
        db.update(route, "gpt-4o-mini", "gpt-4o-mini", "[{\"providerId\":\"p-sim\",\"model\":\"sim-gpt-4o-mini\"}]", t0, 4);
        db.update(route, "slow", "slow", "[{\"providerId\":\"p-sim\",\"model\":\"sim-slow-1200\"}]", t0, 5);
        registry.add("spring.datasource.url", () -> dbUrl);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> SECRET);
    }

    /** Waits (once) until the edge's snapshot serves the key and both routes. */
    synchronized void awaitReady(int port) {
        if (ready) {
            return;
        }
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models"))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
            return models.statusCode() == 200 && models.body().contains("\"slow\"");
        });
        http.close();
        ready = true;
    }
}
