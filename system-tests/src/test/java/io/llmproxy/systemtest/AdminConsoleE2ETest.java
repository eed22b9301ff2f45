package io.llmproxy.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmproxy.identity.RealmProvisioner;
import io.llmproxy.identity.RealmSpec;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.testsupport.KeycloakTestServer;
import io.llmproxy.testsupport.LocalPostgres;
import io.llmproxy.testsupport.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin console (issue #13) end to end in a real browser: Debian's Chromium driven by npm
 * {@code playwright-core} ({@code admin-console/e2e/console.test.mjs}) against the test Keycloak
 * (a fresh realm provisioned for the console's origin), command-side and query-side started from
 * their exec jars (identity provisioning on), and the console built with {@code npm ci && npm run
 * build} and served by {@code vite preview} on a free port. The platform admin signs in with
 * authorization code + PKCE, creates a tenant, suspends and reactivates it, issues a key (shown
 * once, copied), revokes it, switches to French and signs out; a tenant admin issues a key and
 * tries it in the Playground, which calls the edge (started with the upstream simulator) from the
 * browser across origins, streamed and not, and finds the calls in Finance; then the APIs are asked
 * what the browser did. Screenshots: {@code system-tests/target/console-screenshots/*.png}.
 *
 * <p>Needs Node 20+, npm (and the npm registry or a warm cache) and {@code /usr/bin/chromium}.
 */
class AdminConsoleE2ETest {

    static final String ADMIN_TOKEN = "console-e2e-admin-token";
    static final String REALM = "llmproxy-console-" + UUID.randomUUID().toString().substring(0, 8);
    static final String ADMIN_USER = "platform-admin";
    static final String ADMIN_PASSWORD = "Adm1n-" + UUID.randomUUID();
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Path CONSOLE = Path.of("..", "admin-console").toAbsolutePath().normalize();
    static final Path LOGS = Path.of("target", "e2e-logs").toAbsolutePath();
    /** the tenant admin's tenant's route the Playground calls, and its message */
    static final String PLAYGROUND_MODEL = "e2e-chat";
    static final String PLAYGROUND_MESSAGE = "Hello from the playground, what is the weather?";
    static TestKafka kafka;
    static LocalStack stack;
    static KeycloakTestServer keycloak;
    static Process preview;
    static int commandPort;
    static int queryPort;
    static int uiPort;
    static int simulatorPort;
    static int edgePort;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startEverything() throws Exception {
        keycloak = KeycloakTestServer.get();
        uiPort = LocalStack.freePort();
        keycloak.realm(REALM, admin -> new RealmProvisioner(admin).provision(RealmSpec.llmproxy(uiPort,
                "s3cret-" + UUID.randomUUID(), new RealmSpec.AdminUser(ADMIN_USER, "platform-admin@llmproxy.local",
                        ADMIN_PASSWORD)).withRealm(REALM)));
        kafka = TestKafka.start(1, UsageRecorded.TOPIC);
        Path adminPasswordFile = Files.createTempFile("kc-admin", ".txt");
        Files.writeString(adminPasswordFile, keycloak.adminPassword());
        adminPasswordFile.toFile().deleteOnExit();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LLMPROXY_DB_URL", LocalPostgres.freshDatabase("llmproxy_console_e2e"));
        env.put("LLMPROXY_DB_USER", LocalPostgres.user());
        env.put("LLMPROXY_DB_PASSWORD", LocalPostgres.password());
        env.put("LLMPROXY_KAFKA_BOOTSTRAP", kafka.bootstrap());
        env.put("LLMPROXY_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("LLMPROXY_SECRET_KEY", Base64.getEncoder().encodeToString(new byte[32]));
        env.put("LLMPROXY_SECURITY_JWT_ISSUERURI", keycloak.issuer(REALM));
        env.put("LLMPROXY_IDENTITY_PROVISIONING_ENABLED", "true");
        env.put("LLMPROXY_IDENTITY_KEYCLOAK_SERVERURL", keycloak.baseUrl());
        env.put("LLMPROXY_IDENTITY_KEYCLOAK_REALM", REALM);
        env.put("LLMPROXY_IDENTITY_KEYCLOAK_ADMINPASSWORDFILE", adminPasswordFile.toString());
        // CORS: the console's origin only (llmproxy.admin.ui-origins; the edge's
        // llmproxy.edge.cors.allowed-origins follows it when not set itself)
        env.put("LLMPROXY_ADMIN_UI_ORIGINS", "http://localhost:" + uiPort);
        stack = new LocalStack();
        commandPort = LocalStack.freePort();
        queryPort = LocalStack.freePort();
        simulatorPort = LocalStack.freePort();
        edgePort = LocalStack.freePort();
        stack.start("console-upstream-simulator", "infra/upstream-simulator", simulatorPort, env);
        stack.start("console-command-side", "command-side", commandPort, env);
        stack.start("console-query-side", "query-side", queryPort, env);
        // the edge the Playground calls from the browser (issue #13)
        stack.start("console-proxy-edge", "proxy-edge", edgePort, env);

        // the realm's platform admin gets its PlatformAdmin role assignment, as infra/local/up.sh does
        HttpResponse<String> assigned = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + commandPort + "/admin/v1/role-assignments"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"principal\":\"" + ADMIN_USER + "\",\"role\":\"PlatformAdmin\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(assigned.statusCode()).as(assigned.body()).isIn(200, 201);

        // the console: built once, config.json written for this stack, served on the origin the realm allows
        run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 600, "console-npm-ci");
        run(List.of("npm", "test"), Map.of(), 300, "console-unit-tests"); // Vitest: the console's unit tests
        run(List.of("npm", "run", "build"), Map.of(), 600, "console-build");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("keycloakUrl", "http://localhost:" + URI.create(keycloak.baseUrl()).getPort());
        config.put("realm", REALM);
        config.put("clientId", "llmproxy-admin-ui");
        config.put("commandApiUrl", "http://localhost:" + commandPort);
        config.put("queryApiUrl", "http://localhost:" + queryPort);
        config.put("edgeUrl", "http://localhost:" + edgePort);
        Files.writeString(CONSOLE.resolve("dist/config.json"), JSON.writeValueAsString(config));
        Path previewLog = LOGS.resolve("console-preview.log");
        preview = new ProcessBuilder("npx", "vite", "preview", "--host", "127.0.0.1", "--port", Integer.toString(uiPort),
                "--strictPort").directory(CONSOLE.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(previewLog.toFile())).start();
        // a preview that exits (port taken, build missing) fails here with its log, not after the whole wait
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .failFast("vite preview exited", () -> assertThat(preview.isAlive())
                        .as("vite preview is running; its log: %s", Files.readString(previewLog)).isTrue())
                .ignoreExceptions().until(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + uiPort + "/config.json")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().contains(REALM));
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (preview != null) {
            // npx runs vite as a child node process: stop the children too, or vite outlives the test
            preview.descendants().forEach(ProcessHandle::destroy);
            preview.destroy();
            if (!preview.waitFor(10, TimeUnit.SECONDS)) {
                preview.destroyForcibly();
            }
        }
        if (stack != null) {
            stack.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aPlatformAdminManagesTenantsAndKeysInChromium() throws Exception {
        String tenantName = "Console E2E " + UUID.randomUUID().toString().substring(0, 6).toUpperCase(Locale.ROOT);
        // a tenant admin of another tenant: a Keycloak user with a TenantAdmin role assignment there
        String taTenantName = "Tenant Admin's " + UUID.randomUUID().toString().substring(0, 6).toUpperCase(Locale.ROOT);
        String taTenantId = JSON.readTree(post(commandPort, "/admin/v1/tenants", "{\"name\":\"" + taTenantName + "\"}"))
                .get("tenantId").asString();
        String taPassword = "Ta-" + UUID.randomUUID();
        keycloak.createUser(REALM, "tenant-admin", taPassword);
        post(commandPort, "/admin/v1/tenants/" + taTenantId + "/role-assignments",
                "{\"principal\":\"tenant-admin\",\"role\":\"TenantAdmin\"}");
        // the Playground (issue #13): the simulator as provider, a route of the tenant admin's tenant, a
        // price; the tenant admin also reads its tenant's Finance, where the playground's calls show
        String simProviderId = JSON.readTree(post(commandPort, "/admin/v1/providers", "{\"name\":\"console-sim\",\"type\":\"openai\","
                + "\"baseUrl\":\"http://127.0.0.1:" + simulatorPort + "/v1\",\"apiKey\":\"sk-sim\"}")).get("providerId").asString();
        put(commandPort, "/admin/v1/tenants/" + taTenantId + "/routes/" + PLAYGROUND_MODEL,
                "{\"targets\":[{\"providerId\":\"" + simProviderId + "\",\"model\":\"sim-gpt-4o-mini\"}]}");
        post(commandPort, "/admin/v1/prices", "{\"providerId\":\"" + simProviderId + "\",\"model\":\"sim-gpt-4o-mini\","
                + "\"inputPerMillionUsd\":\"0.15\",\"outputPerMillionUsd\":\"0.60\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}");
        post(commandPort, "/admin/v1/tenants/" + taTenantId + "/role-assignments",
                "{\"principal\":\"tenant-admin\",\"role\":\"FinanceReader\"}");
        // what the simulator answers to the playground's message, asked directly
        JsonNode expected = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simulatorPort
                        + "/v1/chat/completions")).header("Content-Type", "application/json").header("Authorization", "Bearer sk-sim")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("model", "sim-gpt-4o-mini",
                        "messages", List.of(Map.of("role", "user", "content", PLAYGROUND_MESSAGE)))))).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        String answer = expected.get("choices").get(0).get("message").get("content").asString();
        assertThat(answer).isNotBlank();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
                get("/admin/v1/role-assignments?tenantId=" + taTenantId).contains("tenant-admin")
                        && get("/admin/v1/role-assignments?tenantId=" + taTenantId + "&role=FinanceReader").contains("tenant-admin")
                        && get("/admin/v1/tenants/" + taTenantId + "/routes?size=200").contains(PLAYGROUND_MODEL));
        Path screenshots = Path.of("target", "console-screenshots").toAbsolutePath();
        Map<String, String> env = Map.ofEntries(
                Map.entry("TA_USER", "tenant-admin"), Map.entry("TA_PASSWORD", taPassword),
                Map.entry("TA_TENANT_NAME", taTenantName),
                Map.entry("PLAYGROUND_MODEL", PLAYGROUND_MODEL), Map.entry("PLAYGROUND_MESSAGE", PLAYGROUND_MESSAGE),
                Map.entry("PLAYGROUND_ANSWER", answer),
                Map.entry("PLAYGROUND_PROMPT_TOKENS", expected.get("usage").get("prompt_tokens").asString()),
                Map.entry("PLAYGROUND_COMPLETION_TOKENS", expected.get("usage").get("completion_tokens").asString()),
                Map.entry("CONSOLE_URL", "http://localhost:" + uiPort),
                Map.entry("ADMIN_USER", ADMIN_USER),
                Map.entry("ADMIN_PASSWORD", ADMIN_PASSWORD),
                Map.entry("TENANT_NAME", tenantName),
                Map.entry("KEY_NAME", "ci-pipeline"),
                Map.entry("KEY_PREFIX", ApiKeys.PREFIX),
                Map.entry("SCREENSHOT_DIR", screenshots.toString()),
                Map.entry("CHROMIUM", "/usr/bin/chromium"));
        String out = run(List.of("node", "--test", "e2e/console.test.mjs"), env, 300, "console-e2e");
        assertThat(out).contains("# pass 2").contains("# fail 0").contains("# skipped 0").contains("E2E done=true")
                .contains("E2E tenantAdminDone=true").contains("E2E playgroundDone=true");
        assertThat(value(out, "playgroundAnswer")).isEqualTo(answer);
        String tenantId = value(out, "tenantId");
        String keyPrefix = value(out, "keyPrefix");
        assertThat(keyPrefix).startsWith(ApiKeys.PREFIX).hasSize(ApiKeys.DISPLAY_PREFIX_LENGTH);

        // what the browser did, as the APIs tell it
        JsonNode tenant = JSON.readTree(get("/admin/v1/tenants/" + tenantId));
        assertThat(tenant.get("name").asString()).isEqualTo(tenantName);
        assertThat(tenant.get("status").asString()).isEqualTo("ACTIVE");
        JsonNode keys = JSON.readTree(get("/admin/v1/tenants/" + tenantId + "/api-keys")).get("items");
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0).get("name").asString()).isEqualTo("ci-pipeline");
        assertThat(keys.get(0).get("displayPrefix").asString()).isEqualTo(keyPrefix);
        assertThat(keys.get(0).get("status").asString()).isEqualTo("REVOKED");
        JsonNode taKeys = JSON.readTree(get("/admin/v1/tenants/" + taTenantId + "/api-keys")).get("items");
        assertThat(taKeys).hasSize(1);
        assertThat(taKeys.get(0).get("name").asString()).isEqualTo("ta-key");
        assertThat(taKeys.get(0).get("status").asString()).isEqualTo("ACTIVE");
        // recorded as the person who signed in, not as the bootstrap token
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(get("/audit/v1/events?tenantId=" + tenantId + "&eventType=ApiKeyRevoked&limit=10"))
                        .contains(ADMIN_USER));
        // the playground's two calls, as the usage ledger has them: this model, this tenant, one streamed
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(get("/finance/v1/usage?tenantId=" + taTenantId + "&groupBy=model")).contains("\"model\":\"" + PLAYGROUND_MODEL + "\"")
                        .contains("\"requests\":2"));
        for (String page : List.of("01-keycloak-sign-in", "02-home-signed-in", "03-tenants", "04-key-shown-once",
                "05-api-keys", "06-key-revoked", "07-api-keys-fr", "08-signed-out", "09-tenant-admin-keys",
                "10-playground", "11-playground-refused", "12-playground-usage-in-finance")) {
            assertThat(screenshots.resolve(page + ".png")).isNotEmptyFile();
        }

        // the Platform and Tenant pages (e2e/platform.test.mjs): provider, prices, route, tenant set-up
        String platform = run(List.of("node", "--test", "e2e/platform.test.mjs"), env, 300, "console-e2e-platform");
        assertThat(platform).contains("# pass 1").contains("# fail 0").contains("E2E platformDone=true");
        String providerId = value(platform, "providerId");
        assertThat(get("/admin/v1/providers?size=200")).contains(providerId).doesNotContain("never-shown");
        assertThat(get("/admin/v1/routes?size=200")).contains(value(platform, "routeModel"));
        String platformTenant = value(platform, "platformTenantId");
        assertThat(JSON.readTree(get("/admin/v1/tenants/" + platformTenant + "/quota-policies")).get("items").get(0)
                .get("limits").get("tokensPerDay").asLong()).isEqualTo(100_000L);
        for (String page : List.of("p01-providers", "p02-prices", "p03-routes", "p04-tenants-renamed", "p05-users",
                "p06-quotas", "p07-tenant-routes", "p08-api-keys-rotated")) {
            assertThat(screenshots.resolve(page + ".png")).isNotEmptyFile();
        }
    }

    /**
     * The role-based scenarios ({@code e2e/roles.test.mjs}): in one tenant with usage (unpriced), a
     * TenantAdmin who is also its Auditor, a FinanceReader and a Developer, each a Keycloak user with
     * a password (tenant users are created in Keycloak first, so provisioning finds them ready).
     */
    @Test
    void eachRoleSeesWhatItMayInChromium() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6).toLowerCase(Locale.ROOT);
        String tenantName = "Roles E2E " + suffix.toUpperCase(Locale.ROOT);
        String tenantId = JSON.readTree(post(commandPort, "/admin/v1/tenants", "{\"name\":\"" + tenantName + "\"}"))
                .get("tenantId").asString();
        String taUser = "ta-" + suffix + "@roles.test";
        String devUser = "dev-" + suffix + "@roles.test";
        String finUser = "finance-" + suffix;
        String password = "Ro1es-" + UUID.randomUUID();
        keycloak.createUser(REALM, taUser, password);
        keycloak.createUser(REALM, devUser, password);
        keycloak.createUser(REALM, finUser, password);
        post(commandPort, "/admin/v1/tenants/" + tenantId + "/users", "{\"email\":\"" + taUser + "\",\"role\":\"TenantAdmin\"}");
        String devUserId = JSON.readTree(post(commandPort, "/admin/v1/tenants/" + tenantId + "/users",
                "{\"email\":\"" + devUser + "\",\"role\":\"Developer\"}")).get("userId").asString();
        post(commandPort, "/admin/v1/tenants/" + tenantId + "/role-assignments", "{\"principal\":\"" + taUser + "\",\"role\":\"Auditor\"}");
        post(commandPort, "/admin/v1/tenants/" + tenantId + "/role-assignments", "{\"principal\":\"" + finUser + "\",\"role\":\"FinanceReader\"}");
        // usage of the tenant, today and yesterday, of models without a price: unknown cost, never $0
        Instant now = Instant.now();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            for (Object[] u : new Object[][]{{"gpt-4o", 1200L, now.minus(Duration.ofDays(1))}, {"gpt-4o", 800L, now},
                    {"llama3", 300L, now}}) {
                UsageRecorded e = new UsageRecorded(UUID.randomUUID().toString(), UsageRecorded.SCHEMA_VERSION, tenantId, "k-seed",
                        "chat.completions", (String) u[0], "p-seed", (String) u[0], false, (long) u[1] / 2, (long) u[1] / 2,
                        (long) u[1], 40, 200, UsageRecorded.Outcome.SUCCESS, (Instant) u[2], null, false, null, 0, null, null);
                producer.send(new ProducerRecord<>(UsageRecorded.TOPIC, tenantId, JSON.writeValueAsString(e))).get();
            }
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
                get("/finance/v1/usage?tenantId=" + tenantId).contains("\"unpricedRequests\":3")
                        && get("/admin/v1/role-assignments?tenantId=" + tenantId).contains(finUser)
                        && get("/admin/v1/role-assignments?tenantId=" + tenantId + "&role=Developer").contains(devUser)
                        && get("/admin/v1/role-assignments?tenantId=" + tenantId + "&role=Auditor").contains(taUser));
        Path screenshots = Path.of(System.getenv().getOrDefault("CONSOLE_SCREENSHOT_DIR", "target/console-screenshots"))
                .toAbsolutePath();
        Map<String, String> env = Map.ofEntries(
                Map.entry("CONSOLE_URL", "http://localhost:" + uiPort),
                Map.entry("ROLES_TENANT_ID", tenantId), Map.entry("ROLES_TENANT_NAME", tenantName),
                Map.entry("ROLE_TA_USER", taUser), Map.entry("ROLE_TA_PASSWORD", password),
                Map.entry("ROLE_FIN_USER", finUser), Map.entry("ROLE_FIN_PASSWORD", password),
                Map.entry("ROLE_DEV_USER", devUser), Map.entry("ROLE_DEV_PASSWORD", password),
                Map.entry("KEY_PREFIX", ApiKeys.PREFIX),
                Map.entry("SCREENSHOT_DIR", screenshots.toString()),
                Map.entry("CHROMIUM", "/usr/bin/chromium"));
        String out = run(List.of("node", "--test", "e2e/roles.test.mjs"), env, 300, "console-e2e-roles");
        assertThat(out).contains("# pass 3").contains("# fail 0").contains("# skipped 0")
                .contains("E2E rolesTenantAdminDone=true").contains("E2E rolesFinanceDone=true")
                .contains("E2E rolesDeveloperDone=true");

        // what the browser did, as the APIs tell it: the admin's key revoked, the developer's own key active
        JsonNode keys = JSON.readTree(get("/admin/v1/tenants/" + tenantId + "/api-keys")).get("items");
        assertThat(keys).hasSize(2);
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        keys.forEach(k -> byName.put(k.get("name").asString(), k));
        assertThat(byName.get("ta-roles-key").get("status").asString()).isEqualTo("REVOKED");
        assertThat(byName.get("dev-own-key").get("status").asString()).isEqualTo("ACTIVE");
        assertThat(byName.get("dev-own-key").get("ownerUserId").asString()).isEqualTo(devUserId);
        assertThat(byName.get("dev-own-key").get("displayPrefix").asString()).isEqualTo(value(out, "devKeyPrefix"));
        String audit = get("/audit/v1/events?tenantId=" + tenantId + "&actor=user:" + taUser + "&limit=100");
        assertThat(audit).contains("ApiKeyIssued").contains("ApiKeyRevoked");
        for (String page : List.of("20-ta-key-shown-once", "21-ta-key-revoked", "22-ta-audit-log", "23-ta-audit-verified",
                "24-ta-key-history", "30-finance-usage", "31-finance-keys-forbidden", "40-dev-own-keys", "41-dev-audit-forbidden")) {
            assertThat(screenshots.resolve(page + ".png")).isNotEmptyFile();
        }
    }

    String post(int port, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + " " + r.body()).isIn(200, 201);
        return r.body();
    }

    void put(int port, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + " " + r.body()).isIn(200, 201, 204);
    }

    String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + queryPort + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
        return r.body();
    }

    static String value(String out, String name) {
        // node --test reports a test's own output lines as TAP comments ("# E2E name=value")
        return out.lines().map(l -> l.strip().replaceFirst("^# ", "")).filter(l -> l.startsWith("E2E " + name + "=")).findFirst()
                .map(l -> l.substring(("E2E " + name + "=").length()))
                .orElseThrow(() -> new AssertionError("no 'E2E " + name + "=' line in\n" + out));
    }

    /** Runs {@code command} in admin-console/; its output goes to target/e2e-logs/{@code log}.log and is returned. */
    static String run(List<String> command, Map<String, String> env, int timeoutSeconds, String log) throws Exception {
        Files.createDirectories(LOGS);
        Path file = LOGS.resolve(log + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(CONSOLE.toFile()).redirectErrorStream(true)
                .redirectOutput(file.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        boolean exited = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String out = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(exited).as(command + " finished within " + timeoutSeconds + " s\n" + out).isTrue();
        assertThat(process.exitValue()).as(command + " exit status\n" + out).isZero();
        return out;
    }
}
