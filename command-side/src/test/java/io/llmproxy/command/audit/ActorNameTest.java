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
        assertThat(ActorMetaData.actorOf(withActor(wire))).isEqualTo("admin-token:José");
        // a lone 0xE9 byte is not UTF-8: kept as the container read it
        assertThat(ActorMetaData.actorOf(withActor("Jos\u00e9"))).isEqualTo("admin-token:José");
        assertThat(ActorMetaData.actorOf(withActor("a\u0007b"))).isEqualTo("admin-token:a?b");
        assertThat(ActorMetaData.actorOf(withActor("  "))).isEqualTo("admin-token");
        assertThat(ActorMetaData.actorOf(withActor(null))).isEqualTo("admin-token");
    }
}
