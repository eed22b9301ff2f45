package io.llmproxy.kernel.web;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which CORS origins a setting may list ({@link BrowserOrigins}): exact http(s) origins only. */
class BrowserOriginsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http://localhost:3000", "https://console.example", "http://127.0.0.1:3000", "http://[::1]:3000",
            "HTTPS://Console.Example:8443", "http://localhost:3000/"})
    void exactOriginsPass(String origin) {
        assertThatCode(() -> BrowserOrigins.requireExact("x.origins", origin)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "*", "http://*.example", "https://console.*",
            "null", "NULL", "file://", "file:///home/me/index.html", "about:blank", "data:text/html,x",
            "localhost:3000", "//localhost:3000", "localhost", "ftp://localhost:3000", "ws://localhost:3000",
            "http://evil@localhost:3000", "http://localhost:3000/console", "http://localhost:3000?x=1",
            "http://localhost:3000#x", "http://", "http:localhost", "http://local host:3000", "http://localhost:3000, http://x"})
    void anythingElseIsRefusedNamingTheSettingAndTheValue(String origin) {
        assertThatThrownBy(() -> BrowserOrigins.requireExact("x.origins", origin))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("x.origins must list")
                .hasMessageContaining("'" + origin + "'");
    }
}
