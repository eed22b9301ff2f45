package io.llmproxy.adminweb.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.cors.CorsConfiguration;

/**
 * {@value AdminSecurity#UI_ORIGINS}, the admin apps' CORS origins ({@link AdminSecurity#adminCorsConfigurationSource}):
 * exact http(s) origins are allowed as listed; {@code null}, wildcards and whatever is not an origin stop the app at start.
 */
class AdminCorsOriginsTest {

    @Test
    void exactOriginsAreAllowedAsListed() {
        CorsConfiguration config = AdminSecurity.adminCorsConfigurationSource(" http://localhost:3000 , https://admin.example ,")
                .getCorsConfiguration(new MockHttpServletRequest("GET", "/admin/v1/me"));
        assertThat(config.getAllowedOrigins()).containsExactly("http://localhost:3000", "https://admin.example");
        assertThat(config.checkOrigin("https://admin.example")).isEqualTo("https://admin.example");
        assertThat(config.checkOrigin("null")).isNull();
        assertThat(config.getAllowCredentials()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"*", "null", "NULL", "file://", "localhost:3000", "//localhost:3000", "ftp://admin.example",
            "http://evil@localhost:3000", "http://localhost:3000/console", "http://localhost:3000?x=1", "http://localhost:3000#x",
            "http:localhost"})
    void anythingElseIsRefusedAtStart(String origin) {
        assertThatThrownBy(() -> AdminSecurity.adminCorsConfigurationSource("http://localhost:3000," + origin))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(AdminSecurity.UI_ORIGINS)
                .hasMessageContaining("'" + origin + "'");
    }
}
