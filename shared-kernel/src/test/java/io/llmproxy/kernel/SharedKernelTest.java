package io.llmproxy.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.kernel.secret.SecretCipher;
import io.llmproxy.kernel.usage.UsageRecorded;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class SharedKernelTest {

    @Test
    void keysHave256BitsAPrefixAndAStableSha256() {
        String key = ApiKeys.generate();
        assertThat(key).startsWith("llmp_").hasSize(5 + 43);
        assertThat(Base64.getUrlDecoder().decode(key.substring(5))).hasSize(32);
        assertThat(ApiKeys.generate()).isNotEqualTo(key);
        // SHA-256("abc") from FIPS 180-2, appendix B.1
        assertThat(ApiKeys.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(ApiKeys.displayPrefix(key)).hasSize(11).isEqualTo(key.substring(0, 11));
    }

    @Test
    void secretCipherRoundTripsAndRefusesAnotherKey() {
        byte[] raw = new byte[32];
        raw[0] = 7;
        SecretCipher cipher = new SecretCipher(Base64.getEncoder().encodeToString(raw));
        String wire = cipher.encrypt("sk-provider-secret");
        assertThat(wire).startsWith("v1:").doesNotContain("sk-provider-secret");
        assertThat(cipher.decrypt(wire)).isEqualTo("sk-provider-secret");
        assertThat(cipher.encrypt("sk-provider-secret")).isNotEqualTo(wire);
        SecretCipher other = new SecretCipher(Base64.getEncoder().encodeToString(new byte[32]));
        assertThatThrownBy(() -> other.decrypt(wire)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SecretCipher("c2hvcnQ=")).hasMessageContaining("32 bytes");
    }

    @Test
    void usageEventJsonHasTheDocumentedFieldNames() throws Exception {
        JsonMapper mapper = JsonMapper.builder().build();
        UsageRecorded event = new UsageRecorded("e1", 1, "t1", "k1", "chat.completions", "gpt-4o-mini", "p1",
                "sim-gpt-4o-mini", true, 12, 30, 42, 15, 200, UsageRecorded.Outcome.SUCCESS,
                Instant.parse("2026-11-29T10:00:00Z"), null, false, "u1", 4, "user: hi", "hello");
        String json = mapper.writeValueAsString(event);
        assertThat(json).contains("\"userId\":\"u1\"", "\"cachedPromptTokens\":4");
        assertThat(json).contains("\"promptText\":\"user: hi\"", "\"completionText\":\"hello\"");
        assertThat(json).contains("\"eventId\":\"e1\"", "\"promptTokens\":12", "\"completionTokens\":30",
                "\"outcome\":\"SUCCESS\"", "\"occurredAt\":\"2026-11-29T10:00:00Z\"");
        assertThat(mapper.readValue(json, UsageRecorded.class)).isEqualTo(event);
        // a schema-1 message (no userId, no cachedPromptTokens) still reads, with null and 0
        String v1 = json.replace(",\"userId\":\"u1\"", "").replace(",\"cachedPromptTokens\":4", "")
                .replace(",\"promptText\":\"user: hi\"", "").replace(",\"completionText\":\"hello\"", "");
        UsageRecorded old = mapper.readValue(v1, UsageRecorded.class);
        assertThat(old.userId()).isNull();
        assertThat(old.cachedPromptTokens()).isZero();
        assertThat(old.promptText()).isNull();
        assertThat(old.completionText()).isNull();
        // a schema-2 message (no texts) reads with null texts
        String v2 = json.replace(",\"promptText\":\"user: hi\"", "").replace(",\"completionText\":\"hello\"", "");
        UsageRecorded two = mapper.readValue(v2, UsageRecorded.class);
        assertThat(two.userId()).isEqualTo("u1");
        assertThat(two.cachedPromptTokens()).isEqualTo(4);
        assertThat(two.promptText()).isNull();
        assertThat(two.completionText()).isNull();
    }

    @Test
    void capturedTextIsMaskedAndCapped() {
        assertThat(UsageRecorded.capturedText(null)).isNull();
        assertThat(UsageRecorded.capturedText("user: my key is sk-live-abcdef1234567890abcdef ok"))
                .isEqualTo("user: my key is [MASKED:openai-key] ok");
        String longText = "a".repeat(UsageRecorded.MAX_TEXT_CHARS + 10);
        assertThat(UsageRecorded.capturedText(longText))
                .isEqualTo("a".repeat(UsageRecorded.MAX_TEXT_CHARS) + "\n[truncated]");
        assertThat(UsageRecorded.capturedText("a".repeat(UsageRecorded.MAX_TEXT_CHARS))).hasSize(UsageRecorded.MAX_TEXT_CHARS);
        // a secret across the cap is masked, not cut into an unrecognisable prefix
        String across = "a".repeat(UsageRecorded.MAX_TEXT_CHARS - 10) + " sk-live-abcdef1234567890abcdef";
        assertThat(UsageRecorded.capturedText(across)).doesNotContain("sk-live").doesNotContain("abcdef1234567890")
                .endsWith("\n[truncated]");
        // never cut inside a surrogate pair
        String emoji = "a".repeat(UsageRecorded.MAX_TEXT_CHARS - 1) + "\uD83D\uDE00tail";
        assertThat(UsageRecorded.capturedText(emoji))
                .isEqualTo("a".repeat(UsageRecorded.MAX_TEXT_CHARS - 1) + "\n[truncated]");
    }
}
