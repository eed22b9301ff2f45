package io.llmproxy.testsupport;

import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the tests find PostgreSQL, Redis, Kafka and Keycloak: the one place that decides, once per
 * test JVM, between Testcontainers containers and the machine's local services.
 *
 * <p>The choice, from the environment variable {@value #ENV}:
 * <ul>
 *   <li>{@code auto} (the default, also when unset or blank): {@link Mode#CONTAINERS} when a Docker
 *       engine answers Testcontainers' {@code DockerClientFactory.instance().isDockerAvailable()},
 *       else {@link Mode#LOCAL};</li>
 *   <li>{@code local}: {@link Mode#LOCAL}, Docker is not asked;</li>
 *   <li>{@code containers}: {@link Mode#CONTAINERS}; without a Docker engine every test that asks
 *       fails with an {@link IllegalStateException} naming {@value #ENV}.</li>
 * </ul>
 * Case and surrounding blanks are ignored; any other value is an {@link IllegalArgumentException}.
 *
 * <p>{@link Mode#LOCAL}: PostgreSQL at {@code LLMPROXY_TEST_DB_HOST}:{@code LLMPROXY_TEST_DB_PORT}
 * (127.0.0.1:5432, user {@code LLMPROXY_TEST_DB_USER} postgres, password
 * {@code LLMPROXY_TEST_DB_PASSWORD}, empty: trust auth), Redis at
 * {@code LLMPROXY_REDIS_HOST}:{@code LLMPROXY_REDIS_PORT} (127.0.0.1:6379, as the edge's own
 * defaults), Kafka an embedded KRaft broker per caller ({@link TestKafka}), Keycloak the test
 * instance of {@code infra/keycloak/start-keycloak.sh --test} ({@link KeycloakTestServer}).
 *
 * <p>{@link Mode#CONTAINERS}: {@code postgres:15}, {@code redis:7}, {@code apache/kafka} (KRaft) and
 * {@code quay.io/keycloak/keycloak}, each started on first use and shared by the whole JVM; Testcontainers'
 * Ryuk container removes them when the JVM ends.
 */
public final class TestServices {

    /** The environment variable that chooses: {@code local}, {@code containers} or {@code auto}. */
    public static final String ENV = "LLMPROXY_TEST_SERVICES";

    private static final Logger LOG = LoggerFactory.getLogger(TestServices.class);
    private static volatile Mode mode;

    private TestServices() {
    }

    /** Where the services run. */
    public enum Mode {
        /** The machine's own PostgreSQL, Redis and test Keycloak; Kafka embedded in the test JVM. */
        LOCAL,
        /** Testcontainers containers, one per service and JVM. */
        CONTAINERS
    }

    /**
     * PostgreSQL as a superuser sees it.
     *
     * @param host     host name or address
     * @param port     TCP port
     * @param user     a superuser (creates and drops databases)
     * @param password its password, empty for trust auth
     */
    public record Postgres(String host, int port, String user, String password) {

        /** @return the JDBC URL of database {@code database}, {@code jdbc:postgresql://host:port/database} */
        public String jdbcUrl(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }

        /** Password masked. */
        @Override
        public String toString() {
            return "Postgres[" + host + ":" + port + ", user=" + user + "]";
        }
    }

    /**
     * Redis (no password, database 0).
     *
     * @param host host name or address
     * @param port TCP port
     */
    public record Redis(String host, int port) {

        /** @return {@code redis://host:port}, the form of {@code llmproxy.edge.redis-url} */
        public String url() {
            return "redis://" + host + ":" + port;
        }
    }

    /**
     * A Keycloak server.
     *
     * @param baseUrl       where to connect, {@code http://host:port} (no trailing slash)
     * @param issuerBase    the start of its tokens' {@code iss}, {@code <issuerBase>/realms/<realm>}
     * @param adminUser     the master realm's administrator ({@code admin})
     * @param adminPassword that administrator's password
     */
    public record Keycloak(String baseUrl, String issuerBase, String adminUser, String adminPassword) {

        /** Password masked. */
        @Override
        public String toString() {
            return "Keycloak[" + baseUrl + ", issuer base " + issuerBase + ", admin=" + adminUser + "]";
        }
    }

    /**
     * @return the JVM's choice, made on the first call (the Docker probe runs at most once)
     * @throws IllegalStateException    {@value #ENV}{@code =containers} without a Docker engine
     * @throws IllegalArgumentException {@value #ENV} holds another word than local, containers, auto
     */
    public static Mode mode() {
        Mode m = mode;
        if (m == null) {
            synchronized (TestServices.class) {
                m = mode;
                if (m == null) {
                    String value = System.getenv(ENV);
                    m = choose(value, ServiceContainers::dockerAvailable);
                    LOG.info("test services: {} ({}={})", m.name().toLowerCase(Locale.ROOT), ENV,
                            value == null || value.isBlank() ? "auto, unset" : value.strip());
                    mode = m;
                }
            }
        }
        return m;
    }

    /**
     * The decision table, without side effects but the probe.
     *
     * @param value  the value of {@value #ENV} (null or blank: auto)
     * @param docker answers whether a Docker engine is reachable; called only for auto and containers
     * @return the mode
     * @throws IllegalStateException    {@code containers} while {@code docker} answers false
     * @throws IllegalArgumentException an unknown value
     */
    static Mode choose(String value, BooleanSupplier docker) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        switch (v) {
            case "", "auto":
                return docker.getAsBoolean() ? Mode.CONTAINERS : Mode.LOCAL;
            case "local":
                return Mode.LOCAL;
            case "containers":
                if (!docker.getAsBoolean()) {
                    throw new IllegalStateException(ENV + "=containers, but no Docker engine answers Testcontainers"
                            + " (DOCKER_HOST, /var/run/docker.sock...): start Docker, or set " + ENV
                            + "=local (or auto) to run the tests on the local PostgreSQL, Redis and Keycloak");
                }
                return Mode.CONTAINERS;
            default:
                throw new IllegalArgumentException(ENV + " must be local, containers or auto (the default), not '"
                        + value.strip() + "'");
        }
    }

    /** @return PostgreSQL: the container's, or the local one (env overrides, see the class comment) */
    public static Postgres postgres() {
        if (mode() == Mode.CONTAINERS) {
            return ServiceContainers.postgres();
        }
        return new Postgres(env("LLMPROXY_TEST_DB_HOST", "127.0.0.1"), Integer.parseInt(env("LLMPROXY_TEST_DB_PORT", "5432")),
                env("LLMPROXY_TEST_DB_USER", "postgres"), env("LLMPROXY_TEST_DB_PASSWORD", ""));
    }

    /** @return Redis: the container's, or the local one (env overrides, see the class comment) */
    public static Redis redis() {
        if (mode() == Mode.CONTAINERS) {
            return ServiceContainers.redis();
        }
        return new Redis(env("LLMPROXY_REDIS_HOST", "127.0.0.1"), Integer.parseInt(env("LLMPROXY_REDIS_PORT", "6379")));
    }

    /**
     * @return the Kafka container's bootstrap address, {@code host:port}
     * @throws IllegalStateException in {@link Mode#LOCAL}, where Kafka is embedded per test: use {@link TestKafka}
     */
    public static String kafkaBootstrap() {
        if (mode() != Mode.CONTAINERS) {
            throw new IllegalStateException("no shared Kafka in local mode: start an embedded broker with TestKafka.start(...)");
        }
        return ServiceContainers.kafkaBootstrap();
    }

    /**
     * @return Keycloak: the container's, or the local test instance (started through
     *         {@code infra/keycloak/start-keycloak.sh --test} when nothing answers)
     */
    public static Keycloak keycloak() {
        if (mode() == Mode.CONTAINERS) {
            return ServiceContainers.keycloak();
        }
        return LocalKeycloak.endpoint();
    }

    static String env(String key, String def) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? def : v.strip();
    }
}
