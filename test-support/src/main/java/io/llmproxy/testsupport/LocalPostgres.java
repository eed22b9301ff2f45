package io.llmproxy.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Points tests at a real PostgreSQL: the one {@link TestServices#postgres()} chose, a
 * {@code postgres:15} container where Docker answers, else the machine's own (127.0.0.1:5432, user
 * postgres, trust auth by default; override with {@code LLMPROXY_TEST_DB_HOST},
 * {@code LLMPROXY_TEST_DB_PORT}, {@code LLMPROXY_TEST_DB_USER}, {@code LLMPROXY_TEST_DB_PASSWORD}).
 * Each test suite gets its own database, dropped and created fresh, so suites never see each other's rows. Set
 * {@code LLMPROXY_TEST_DB_SUFFIX} (letters, digits, underscore) to give every database name a
 * suffix, so two checkouts can run their tests at the same time on one PostgreSQL.
 */
public final class LocalPostgres {

    private LocalPostgres() {
    }

    /** @return the server's host name or address */
    public static String host() {
        return TestServices.postgres().host();
    }

    /** @return the server's TCP port, as text */
    public static String port() {
        return Integer.toString(TestServices.postgres().port());
    }

    /** @return a superuser's name */
    public static String user() {
        return TestServices.postgres().user();
    }

    /** @return that superuser's password (empty for trust auth) */
    public static String password() {
        return TestServices.postgres().password();
    }

    /** @return the JDBC URL of database {@code name} */
    public static String url(String name) {
        return TestServices.postgres().jdbcUrl(name);
    }

    /**
     * Drops (with its connections) and creates database {@code name}.
     *
     * @return its JDBC URL
     * @throws IllegalStateException when PostgreSQL cannot be reached, with how to start it
     */
    public static String freshDatabase(String baseName) {
        String name = baseName + env("LLMPROXY_TEST_DB_SUFFIX", "");
        if (!name.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("database name must be [a-z0-9_]+: " + name);
        }
        try (Connection c = DriverManager.getConnection(url("postgres"), user(), password());
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
            return url(name);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL is not reachable at " + host() + ":" + port()
                    + " (start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start): "
                    + e.getMessage(), e);
        }
    }

    /**
     * A fresh database {@code baseName} ({@link #freshDatabase}) as a Spring Boot test's data source: sets
     * {@code spring.datasource.url}, {@code .username} and {@code .password} through {@code property}, which is
     * a {@code @DynamicPropertySource} method's {@code registry::add}.
     *
     * @return its JDBC URL
     * @throws IllegalStateException when PostgreSQL cannot be reached
     */
    public static String springDataSource(String baseName, BiConsumer<String, Supplier<Object>> property) {
        String url = freshDatabase(baseName);
        property.accept("spring.datasource.url", () -> url);
        property.accept("spring.datasource.username", LocalPostgres::user);
        property.accept("spring.datasource.password", LocalPostgres::password);
        return url;
    }

    /** @return true when database {@code baseName} (with the suffix, if set) exists */
    public static boolean exists(String baseName) {
        String name = baseName + env("LLMPROXY_TEST_DB_SUFFIX", "");
        try (Connection c = DriverManager.getConnection(url("postgres"), user(), password());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
            return rs.next();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String env(String key, String def) {
        return TestServices.env(key, def);
    }
}
