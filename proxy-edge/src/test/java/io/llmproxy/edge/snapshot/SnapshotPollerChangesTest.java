package io.llmproxy.edge.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.edge.support.ReadModelDatabase;
import io.llmproxy.edge.support.TestEdgeProperties;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.testsupport.LocalPostgres;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Between full loads a poll first asks, in one statement, which tables have rows above their source's
 * cursor, and runs only those tables' loaders (issue #16: a poll that finds nothing costs one round trip
 * for the tables, not eight); when it finds none, and no replay began or ended, the poll opens no
 * transaction at all. On the real read model; every SQL text the poller sends is recorded by a
 * {@link DataSource} in front of PostgreSQL.
 */
class SnapshotPollerChangesTest {

    static final String SECRET = Base64.getEncoder().encodeToString(new byte[32]);
    /** a loader's query: the one table it reads, above the cursor */
    static final Pattern TABLE_ABOVE_CURSOR = Pattern.compile("FROM (\\w+)\\s+WHERE change_index > \\?");
    static JdbcTemplate db;
    static DriverManagerDataSource postgres;

    final List<String> sent = new CopyOnWriteArrayList<>();
    /** the isolation and read-only setting in effect when the changed tables were asked for, per poll */
    final List<String> inEffect = new CopyOnWriteArrayList<>();
    SnapshotStore store;
    SnapshotPoller poller;
    String tenant;

    @BeforeAll
    static void database() {
        String url = ReadModelDatabase.create("llmproxy_edge_changes");
        postgres = new DriverManagerDataSource(url, LocalPostgres.user(), LocalPostgres.password());
        db = new JdbcTemplate(postgres);
        ReadModelDatabase.createTokenStore(db);
    }

    @BeforeEach
    void freshPoller() {
        db.execute("TRUNCATE rm_api_key, rm_tenant, audit_content_policy, rm_route, rm_quota_policy, tokenentry, "
                + "projection_segment_position");
        DataSource recording = recording(postgres);
        store = new SnapshotStore();
        EdgeProperties properties = TestEdgeProperties.of(SECRET, Duration.ofMillis(250), Duration.ofHours(1),
                Duration.ofSeconds(5), Duration.ofSeconds(300));
        poller = new SnapshotPoller(new JdbcTemplate(recording), new DataSourceTransactionManager(recording), store,
                properties, JsonMapper.builder().build(), new SnapshotReadiness(store, event -> { }));
        tenant = "t-" + UUID.randomUUID();
        db.update("INSERT INTO rm_tenant (tenant_id, name, created_at, change_index) VALUES (?, 'x', now(), 1)", tenant);
        String key = ApiKeys.generate();
        db.update("""
                INSERT INTO rm_api_key (api_key_id, tenant_id, name, key_hash, display_prefix, status, created_at, change_index)
                VALUES ('k1', ?, 'k', ?, ?, 'ACTIVE', now(), 2)""", tenant, ApiKeys.hash(key), ApiKeys.displayPrefix(key));
        poller.poll(); // the first (full) load
        assertThat(store.current().changeIndex()).isEqualTo(2);
    }

    /** @return the tables the loader queries of the statements sent since the last call read */
    Set<String> tablesLoaded() {
        Set<String> tables = new TreeSet<>();
        for (String sql : sent) {
            if (!sql.contains("EXISTS")) {
                Matcher m = TABLE_ABOVE_CURSOR.matcher(sql);
                while (m.find()) {
                    tables.add(m.group(1));
                }
            }
        }
        sent.clear();
        return tables;
    }

    @Test
    void aPollWithoutChangesSendsTwoStatementsOutsideATransactionAndRunsNoLoader() {
        sent.clear();
        inEffect.clear();
        poller.poll();

        // the sources' watermarks and replays, the changed tables: two statements, no isolation setting
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0)).contains("FROM tokenentry t").contains("bool_or(p.replaying)");
        assertThat(sent.get(1)).contains("EXISTS");
        assertThat(inEffect).containsExactly(OUTSIDE_A_TRANSACTION);
        assertThat(tablesLoaded()).isEmpty();
        assertThat(store.current().changeIndex()).isEqualTo(2);
    }

    /** A change found by the first two statements: the poll then reads in one REPEATABLE READ, read-only transaction. */
    @Test
    void aPollThatFindsAChangeReadsItInOneRepeatableReadTransaction() {
        db.update("UPDATE rm_tenant SET status = 'SUSPENDED', change_index = 3 WHERE tenant_id = ?", tenant);
        sent.clear();
        inEffect.clear();
        poller.poll();

        assertThat(sent.subList(0, 2)).allSatisfy(sql -> assertThat(sql).doesNotStartWith("SET"));
        assertThat(sent.get(2)).isEqualTo("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        // in effect, not only sent: the poll reads one REPEATABLE READ snapshot and cannot write
        assertThat(inEffect).containsExactly(OUTSIDE_A_TRANSACTION, "repeatable read, read only on, autocommit off");
        assertThat(tablesLoaded()).containsExactly("rm_tenant");
        assertThat(store.current().suspended(tenant)).isTrue();
    }

    /** The tables the first statement asks about are the ones the loaders read on a full load: all eight. */
    @Test
    void theFirstStatementAsksAboutEveryTableTheLoadersRead() {
        Set<String> asked = new TreeSet<>();
        sent.clear();
        poller.poll();
        Matcher m = TABLE_ABOVE_CURSOR.matcher(sent.stream().filter(sql -> sql.contains("EXISTS")).findFirst().orElseThrow());
        while (m.find()) {
            asked.add(m.group(1));
        }

        DataSource recording = recording(postgres);
        SnapshotPoller fresh = new SnapshotPoller(new JdbcTemplate(recording), new DataSourceTransactionManager(recording),
                new SnapshotStore(), TestEdgeProperties.of(SECRET, Duration.ofMillis(250), Duration.ofHours(1),
                        Duration.ofSeconds(5), Duration.ofSeconds(300)), JsonMapper.builder().build(),
                new SnapshotReadiness(new SnapshotStore(), event -> { }));
        fresh.poll(); // a full load

        assertThat(tablesLoaded()).isEqualTo(asked).containsExactlyInAnyOrder("rm_api_key", "rm_tenant",
                "audit_content_policy", "rm_quota_policy", "rm_route", "rm_provider", "rm_price", "rm_user");
    }

    /** Each change runs the loaders of the changed tables only, and the snapshot has it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "tenant suspended | rm_tenant",
            "key revoked | rm_api_key",
            "content opt-in | audit_content_policy",
            "route added | rm_route",
            "quota set, tenant suspended | rm_quota_policy rm_tenant"})
    void aChangeRunsTheLoadersOfTheChangedTablesOnly(String change, String tables) {
        switch (change) {
            case "tenant suspended" -> db.update("UPDATE rm_tenant SET status = 'SUSPENDED', change_index = 3 WHERE tenant_id = ?", tenant);
            case "key revoked" -> db.update("UPDATE rm_api_key SET status = 'REVOKED', change_index = 3 WHERE api_key_id = 'k1'");
            case "content opt-in" -> db.update("""
                    INSERT INTO audit_content_policy (tenant_id, store_prompt_content, updated_at, change_index)
                    VALUES (?, true, now(), 3)""", tenant);
            case "route added" -> db.update("INSERT INTO rm_route (route_id, tenant_id, model, targets, updated_at, change_index) "
                    + "VALUES ('gpt-x', NULL, 'gpt-x', '[{\"providerId\":\"p1\",\"model\":\"m\"}]'::jsonb, now(), 3)");
            case "quota set, tenant suspended" -> {
                db.update("INSERT INTO rm_quota_policy (scope, subject_id, tenant_id, limits, updated_at, change_index) "
                        + "VALUES ('TENANT', ?, ?, '{\"requestsPerMinute\":7}'::jsonb, now(), 3)", tenant, tenant);
                db.update("UPDATE rm_tenant SET status = 'SUSPENDED', change_index = 4 WHERE tenant_id = ?", tenant);
            }
            default -> throw new IllegalArgumentException(change);
        }
        sent.clear();
        poller.poll();

        assertThat(tablesLoaded()).containsExactlyInAnyOrder(tables.split(" "));
        switch (change) {
            case "tenant suspended" -> assertThat(store.current().suspended(tenant)).isTrue();
            case "key revoked" -> assertThat(store.current().keysByHash().values()).singleElement()
                    .satisfies(entry -> assertThat(entry.active()).isFalse());
            case "content opt-in" -> assertThat(store.current().storesPromptContent(tenant)).isTrue();
            case "route added" -> assertThat(store.current().route(tenant, "gpt-x").targets()).hasSize(1);
            default -> {
                assertThat(store.current().suspended(tenant)).isTrue();
                assertThat(store.current().quota(io.llmproxy.kernel.quota.QuotaScope.TENANT, tenant).requestsPerMinute())
                        .isEqualTo(7L);
            }
        }
        sent.clear();
        poller.poll(); // read once: the next poll loads nothing
        assertThat(tablesLoaded()).isEmpty();
    }

    /** @return {@code target} recording the SQL of every statement prepared or executed on its connections */
    DataSource recording(DataSource target) {
        return new DelegatingDataSource(target) {
            @Override
            public Connection getConnection() throws java.sql.SQLException {
                return recordingConnection(super.getConnection());
            }
        };
    }

    Connection recordingConnection(Connection connection) {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                        sent.add(sql);
                        if (sql.contains("EXISTS")) {
                            inEffect.add(setting(connection));
                        }
                    }
                    Object result = invoke(connection, method, args);
                    if (result instanceof Statement statement && method.getName().equals("createStatement")) {
                        return recordingStatement(statement);
                    }
                    return result;
                });
    }

    /** what {@link #setting} reads on a connection in autocommit mode (PostgreSQL's defaults) */
    static final String OUTSIDE_A_TRANSACTION = "read committed, read only off, autocommit on";

    static String setting(Connection connection) throws java.sql.SQLException {
        try (Statement statement = connection.createStatement();
             var rs = statement.executeQuery("SELECT current_setting('transaction_isolation') || ', read only '"
                     + " || current_setting('transaction_read_only')")) {
            rs.next();
            return rs.getString(1) + ", autocommit " + (connection.getAutoCommit() ? "on" : "off");
        }
    }

    Statement recordingStatement(Statement statement) {
        return (Statement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Statement.class},
                (proxy, method, args) -> {
                    if (method.getName().startsWith("execute") && args != null && args.length > 0 && args[0] instanceof String sql) {
                        sent.add(sql);
                    }
                    return invoke(statement, method, args);
                });
    }

    static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
