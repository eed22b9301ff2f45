package io.llmproxy.command.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** The actor's name from {@code X-Actor}, as the servlet container hands it over (ISO-8859-1). */
class ActorNameTest {

    static MockHttpServletRequest withActor(String headerAsContainerSeesIt) {
        MockHttpServletRequest request = new MockHttpServletRequest();
        if (headerAsContainerSeesIt != null) {
            request.addHeader("X-Actor", headerAsContainerSeesIt);
        }
        return request;
    }

    @Test
    void utf8NamesAreDecodedLatin1OnesKeptControlCharactersReplaced() {
        // a client sends "José" as UTF-8 bytes; the container decodes them as ISO-8859-1: "JosÃ©"
        String wire = new String("José".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertThat(ActorMetaData.declaredName(withActor(wire))).isEqualTo("José");
        // a lone 0xE9 byte is not UTF-8: kept as the container read it
        assertThat(ActorMetaData.declaredName(withActor("Jos\u00e9"))).isEqualTo("José");
        assertThat(ActorMetaData.declaredName(withActor("a\u0007b"))).isEqualTo("a?b");
        assertThat(ActorMetaData.declaredName(withActor("  "))).isNull();
        assertThat(ActorMetaData.declaredName(withActor(null))).isNull();
    }
}
