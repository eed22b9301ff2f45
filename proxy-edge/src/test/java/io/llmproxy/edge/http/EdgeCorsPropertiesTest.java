package io.llmproxy.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@code llmproxy.edge.cors.allowed-origins} accepts ({@link EdgeCorsProperties}): exact
 * {@code http(s)://host[:port]} origins only; {@code null}, wildcards and whatever is not an origin
 * are refused at start, never silently allowed or silently matching nothing.
 */
class EdgeCorsPropertiesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http://localhost:3000", "https://console.example", "http://127.0.0.1:3000", "http://[::1]:3000",
            "HTTPS://Console.Example:8443", "http://localhost:3000/"})
    void exactOriginsAreKept(String origin) {
        assertThat(new EdgeCorsProperties(List.of(" " + origin + " ", "")).allowedOrigins()).containsExactly(origin);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "*", "http://*.example", "https://console.*",
            "null", "NULL", "file://", "file:///home/me/index.html",
            "localhost:3000", "//localhost:3000", "localhost", "ftp://localhost:3000", "ws://localhost:3000",
            "http://evil@localhost:3000", "http://localhost:3000/console", "http://localhost:3000?x=1",
            "http://localhost:3000#x", "http://", "http:localhost", "http://local host:3000", "http://localhost:3000, http://x"})
    void anythingElseIsRefusedAtStart(String origin) {
        assertThatThrownBy(() -> new EdgeCorsProperties(List.of("http://localhost:3000", origin)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("llmproxy.edge.cors.allowed-origins")
                .hasMessageContaining("'" + origin + "'");
    }

    @org.junit.jupiter.api.Test
    void noOriginsIsNoBrowserAtAll() {
        assertThat(new EdgeCorsProperties(null).allowedOrigins()).isEmpty();
        assertThat(new EdgeCorsProperties(List.of(" ", "")).allowedOrigins()).isEmpty();
    }
}
