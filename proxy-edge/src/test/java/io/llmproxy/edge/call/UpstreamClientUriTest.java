package io.llmproxy.edge.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Provider URLs are parsed once and cached (issue #16), without changing what they parse to. */
class UpstreamClientUriTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1:5100/v1/chat/completions",
            "https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
            "http://[::1]:11434/api/chat",
            "https://api.example.com/v1/models/a%2Fb:generate"})
    void aCachedUriIsTheOneUriCreateGives(String url) {
        URI first = UpstreamClient.uri(url);
        assertThat(first).isEqualTo(URI.create(url));
        assertThat(first.getHost()).isEqualTo(URI.create(url).getHost());
        assertThat(first.getRawQuery()).isEqualTo(URI.create(url).getRawQuery());
        assertThat(UpstreamClient.uri(url)).isSameAs(first);
    }

    @Test
    void aUrlThatIsNoUriFailsEachTime() {
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> UpstreamClient.uri("http://bad host/v1")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theCacheStaysBounded() {
        for (int i = 0; i < 10_000; i++) {
            assertThat(UpstreamClient.uri("http://127.0.0.1:5100/v1/x" + i).getPath()).isEqualTo("/v1/x" + i);
        }
        assertThat(UpstreamClient.cachedUris()).isBetween(1, 4096);
    }
}
