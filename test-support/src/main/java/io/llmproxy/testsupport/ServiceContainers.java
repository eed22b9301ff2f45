package io.llmproxy.testsupport;

import java.time.Duration;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Testcontainers side of {@link TestServices}: one container per service, started on its first
 * use and shared by every test of the JVM (never stopped here: Testcontainers' Ryuk container removes
 * them when the JVM ends). Only {@link TestServices} in {@link TestServices.Mode#CONTAINERS} calls
 * the getters, so no Testcontainers class is touched on a machine that runs the local services.
 *
 * <p>Images: {@value #POSTGRES_IMAGE}, {@value #REDIS_IMAGE}, {@value #KAFKA_IMAGE} (KRaft, the
 * broker version of {@code infra/kafka}) and {@value #KEYCLOAK_IMAGE} (the version of
 * {@code infra/keycloak}).
 */
final class ServiceContainers {

    static final String POSTGRES_IMAGE = "postgres:15";
    static final String REDIS_IMAGE = "redis:7";
    static final String KAFKA_IMAGE = "apache/kafka:4.1.2";
    static final String KEYCLOAK_IMAGE = "quay.io/keycloak/keycloak:26.7.3";

    private static PostgreSQLContainer postgres;
    private static GenericContainer<?> redis;
    private static KafkaContainer kafka;
    private static GenericContainer<?> keycloak;
    private static String keycloakAdminPassword;

    private ServiceContainers() {
    }

    /** @return whether Testcontainers reaches a Docker engine (its own strategies: DOCKER_HOST, socket...) */
    static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /** PostgreSQL 15 with superuser {@code postgres}; tests create their own databases in it. */
    static synchronized TestServices.Postgres postgres() {
        if (postgres == null) {
            PostgreSQLContainer c = new PostgreSQLContainer(DockerImageName.parse(POSTGRES_IMAGE))
                    .withDatabaseName("postgres").withUsername("postgres").withPassword("postgres");
            // the same limit as a default local server; fsync off as Testcontainers' default command has it
            c.withCommand("postgres", "-c", "fsync=off", "-c", "max_connections=100");
            c.start();
            postgres = c;
        }
        return new TestServices.Postgres(postgres.getHost(), postgres.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT),
                postgres.getUsername(), postgres.getPassword());
    }

    /** Redis 7 without persistence, like the local one. */
    static synchronized TestServices.Redis redis() {
        if (redis == null) {
            GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(REDIS_IMAGE))
                    .withExposedPorts(6379)
                    .withCommand("redis-server", "--save", "", "--appendonly", "no")
                    .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1));
            c.start();
            redis = c;
        }
        return new TestServices.Redis(redis.getHost(), redis.getMappedPort(6379));
    }

    /** A single KRaft broker (combined broker and controller). */
    static synchronized String kafkaBootstrap() {
        if (kafka == null) {
            KafkaContainer c = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE));
            c.start();
            kafka = c;
        }
        String bootstrap = kafka.getBootstrapServers();
        int scheme = bootstrap.indexOf("://");
        return scheme < 0 ? bootstrap : bootstrap.substring(scheme + 3);
    }

    /**
     * Keycloak in development mode, master admin {@code admin} with a random password. No fixed
     * hostname: a token's issuer is the address it was asked at, so tests and the applications
     * under test must both use {@link TestServices.Keycloak#baseUrl()}.
     */
    static synchronized TestServices.Keycloak keycloak() {
        if (keycloak == null) {
            String password = UUID.randomUUID().toString();
            GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(KEYCLOAK_IMAGE))
                    .withCommand("start-dev", "--health-enabled=true")
                    .withEnv("KC_BOOTSTRAP_ADMIN_USERNAME", "admin")
                    .withEnv("KC_BOOTSTRAP_ADMIN_PASSWORD", password)
                    .withExposedPorts(8080, 9000)
                    .waitingFor(Wait.forHttp("/health/ready").forPort(9000).withStartupTimeout(Duration.ofMinutes(5)));
            c.start();
            keycloak = c;
            keycloakAdminPassword = password;
        }
        String base = "http://" + keycloak.getHost() + ":" + keycloak.getMappedPort(8080);
        return new TestServices.Keycloak(base, base, "admin", keycloakAdminPassword);
    }
}
