package io.llmproxy.edge.support;

import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.testsupport.LocalPostgres;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The read model of the client format × provider matrix tests ({@code ClientProviderMatrixTest},
 * {@code ResponsesProviderMatrixTest}): one tenant, one key, one provider of each type served by the
 * simulator in its wire format, and per provider type three routes ({@code <type>} chat,
 * {@code <type>-tools}, {@code <type>-embed}) plus {@code reference} (openai provider), all on the
 * simulator model whose answer depends only on model and messages.
 */
public final class ProviderMatrix {

    /** provider type → provider id. */
    public static final Map<String, String> PROVIDERS;
    public static final int ROUTES_PER_PROVIDER = 3;
    /** The change index the snapshot reaches once every route is loaded. */
    public static final long LAST_CHANGE = 20 + 6L * ROUTES_PER_PROVIDER;
    public static final String PROVIDER_SECRET = "sk-matrix-provider-secret-77";

    static {
        Map<String, String> providers = new LinkedHashMap<>();
        providers.put("openai", "p-openai");
        providers.put("anthropic", "p-anthropic");
        providers.put("azure-openai", "p-azure");
        providers.put("mistral", "p-mistral");
        providers.put("ollama", "p-ollama");
        providers.put("cohere", "p-cohere");
        PROVIDERS = Collections.unmodifiableMap(providers);
    }

    private ProviderMatrix() {
    }

    /**
     * Creates the database {@code database} with the tenant, its key {@code km}, the providers and the
     * routes, and registers the edge's properties for it.
     *
     * @param secret the edge's secret key (base64 of 32 bytes)
     * @return the database URL
     */
    public static String register(DynamicPropertyRegistry registry, String database, String tenant, String key, String secret) {
        String sim = "http://127.0.0.1:" + SimulatorServer.port();
        String dbUrl = ReadModelDatabase.create(database);
        JdbcTemplate jdbc = ReadModelDatabase.jdbc(dbUrl);
        SecretCipher cipher = new SecretCipher(secret);
        Timestamp t0 = Timestamp.from(Instant.parse("2026-11-29T10:00:00Z"));
        jdbc.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'matrix', ?, 1)", tenant, t0);
        jdbc.update("INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index) "
                + "VALUES ('km', ?, 'matrix', ?, ?, 'ACTIVE', ?, 2)", tenant, ApiKeys.hash(key), ApiKeys.displayPrefix(key), t0);
        Map<String, String> baseUrls = Map.of("openai", sim + "/v1", "anthropic", sim, "azure-openai", sim + "/openai",
                "mistral", sim + "/mistral/v1", "ollama", sim, "cohere", sim);
        String provider = "INSERT INTO rm_provider (provider_id, name, type, base_url, api_key_ciphertext, created_at, change_index) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)";
        long index = 3;
        for (Map.Entry<String, String> p : PROVIDERS.entrySet()) {
            jdbc.update(provider, p.getValue(), p.getKey() + "-sim", p.getKey(), baseUrls.get(p.getKey()),
                    cipher.encrypt(p.getKey().equals("ollama") ? "" : PROVIDER_SECRET), t0, index++);
        }
        index = 20;
        for (Map.Entry<String, String> p : PROVIDERS.entrySet()) {
            // chat: <type>; tools: <type>-tools; embeddings: <type>-embed
            route(jdbc, p.getKey(), p.getValue(), "sim-gpt-4o-mini", t0, index++);
            route(jdbc, p.getKey() + "-tools", p.getValue(), "sim-tools", t0, index++);
            route(jdbc, p.getKey() + "-embed", p.getValue(), "sim-embed", t0, index++);
        }
        // the reference answer gets its own public model, so its usage event never matches a cell's
        route(jdbc, "reference", "p-openai", "sim-gpt-4o-mini", t0, index);
        registry.add("spring.datasource.url", () -> dbUrl);
        registry.add("spring.datasource.username", LocalPostgres::user);
        registry.add("spring.datasource.password", LocalPostgres::password);
        registry.add("llmproxy.edge.secret-key", () -> secret);
        return dbUrl;
    }

    static void route(JdbcTemplate jdbc, String model, String providerId, String target, Timestamp t0, long index) {
        jdbc.update("INSERT INTO rm_route (route_id, model, targets, updated_at, change_index) VALUES (?, ?, ?::jsonb, ?, ?)",
                model, model, "[{\"providerId\":\"" + providerId + "\",\"model\":\"" + target + "\"}]", t0, index);
    }

    /** @return the {@code data:} payloads of an SSE body; their {@code event:} names into {@code eventNames} when given */
    public static List<String> sseData(String body, List<String> eventNames) {
        List<String> data = new ArrayList<>();
        for (String block : body.replace("\r\n", "\n").split("\n\n")) {
            String event = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.add(line.substring(5).trim());
                    if (eventNames != null) {
                        eventNames.add(event);
                    }
                }
            }
        }
        return data;
    }
}
