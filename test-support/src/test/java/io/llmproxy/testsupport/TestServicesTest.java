package io.llmproxy.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmproxy.testsupport.TestServices.Mode;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The choice between containers and local services, with the Docker probe replaced by a fixed answer. */
class TestServicesTest {

    @ParameterizedTest(name = "{0} with Docker {1} -> {2}")
    @CsvSource(nullValues = "null", value = {
            "local,      true,  LOCAL",
            "local,      false, LOCAL",
            "containers, true,  CONTAINERS",
            "auto,       true,  CONTAINERS",
            "auto,       false, LOCAL",
            "null,       true,  CONTAINERS",
            "null,       false, LOCAL",
            "'',         true,  CONTAINERS",
            "'  ',       false, LOCAL",
            "' Local ',  true,  LOCAL",
            "CONTAINERS, true,  CONTAINERS",
            "Auto,       false, LOCAL"})
    void theTable(String value, boolean docker, Mode expected) {
        assertThat(TestServices.choose(value, () -> docker)).isEqualTo(expected);
    }

    @Test
    void containersWithoutDockerIsAnErrorThatNamesTheVariable() {
        assertThatThrownBy(() -> TestServices.choose("containers", () -> false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("LLMPROXY_TEST_SERVICES=containers, but no Docker engine answers Testcontainers"
                        + " (DOCKER_HOST, /var/run/docker.sock...): start Docker, or set LLMPROXY_TEST_SERVICES=local"
                        + " (or auto) to run the tests on the local PostgreSQL, Redis and Keycloak");
    }

    @Test
    void anUnknownValueIsRefused() {
        assertThatThrownBy(() -> TestServices.choose(" docker ", () -> true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LLMPROXY_TEST_SERVICES must be local, containers or auto (the default), not 'docker'");
    }

    @Test
    void localNeverAsksDockerAndTheOthersAskOnce() {
        AtomicInteger asked = new AtomicInteger();
        BooleanSupplier probe = () -> {
            asked.incrementAndGet();
            return true;
        };
        TestServices.choose("local", probe);
        assertThat(asked).hasValue(0);
        TestServices.choose("auto", probe);
        assertThat(asked).hasValue(1);
        TestServices.choose("containers", probe);
        assertThat(asked).hasValue(2);
    }

    @Test
    void endpointsRenderTheirUrlsAndMaskPasswords() {
        TestServices.Postgres pg = new TestServices.Postgres("localhost", 32771, "postgres", "s3cret");
        assertThat(pg.jdbcUrl("llmproxy_e2e")).isEqualTo("jdbc:postgresql://localhost:32771/llmproxy_e2e");
        assertThat(pg.toString()).isEqualTo("Postgres[localhost:32771, user=postgres]");
        assertThat(new TestServices.Redis("127.0.0.1", 6379).url()).isEqualTo("redis://127.0.0.1:6379");
        TestServices.Keycloak kc = new TestServices.Keycloak("http://localhost:32790", "http://localhost:32790", "admin", "pw-123");
        assertThat(kc.toString()).doesNotContain("pw-123").isEqualTo(
                "Keycloak[http://localhost:32790, issuer base http://localhost:32790, admin=admin]");
    }
}
