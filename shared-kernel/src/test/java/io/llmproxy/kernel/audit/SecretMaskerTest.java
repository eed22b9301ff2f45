package io.llmproxy.kernel.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretMaskerTest {

    @Test
    void providerAndGatewayKeysAreMasked() {
        assertThat(SecretMasker.mask("use sk-proj-AbCdEfGhIjKlMnOpQrStUv12 and llmp_x9Yz0123456789abcdefABCDEF_-xyz please"))
                .isEqualTo("use [MASKED:openai-key] and [MASKED:llmproxy-key] please");
        assertThat(SecretMasker.mask("anthropic sk-ant-api03-abcdefghijklmnopqrstuvwx"))
                .isEqualTo("anthropic [MASKED:openai-key]");
    }

    @Test
    void bearerTokensKeepTheirSchemeAndJwtsAreMasked() {
        assertThat(SecretMasker.mask("Authorization: Bearer abcDEF123456789.xyz"))
                .isEqualTo("Authorization: Bearer [MASKED:bearer-token]");
        assertThat(SecretMasker.mask("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c end"))
                .isEqualTo("token [MASKED:jwt] end");
    }

    @Test
    void cloudCredentialsAreMasked() {
        assertThat(SecretMasker.mask("id AKIAIOSFODNN7EXAMPLE and aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
                .isEqualTo("id [MASKED:aws-access-key-id] and aws_secret_access_key=[MASKED:aws-secret-access-key]");
        assertThat(SecretMasker.mask("gh ghp_abcdefghijklmnopqrstuvwxyz0123456789 g AIzaSyA1234567890abcdefghijklmnopqrstuv"))
                .isEqualTo("gh [MASKED:github-token] g [MASKED:google-api-key]");
        assertThat(SecretMasker.mask("slack xoxb-123456789012-abcdefghij"))
                .isEqualTo("slack [MASKED:slack-token]");
    }

    @Test
    void assignmentsOfSecretsAndPrivateKeysAreMasked() {
        assertThat(SecretMasker.mask("db password=hunter2hunter2, user=bob"))
                .isEqualTo("db password=[MASKED:credential], user=bob");
        assertThat(SecretMasker.mask("{\"api_key\": \"abcdef123456\"}"))
                .isEqualTo("{\"api_key\": \"[MASKED:credential]\"}");
        assertThat(SecretMasker.mask("k: -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY----- done"))
                .isEqualTo("k: [MASKED:private-key] done");
    }

    @Test
    void ordinaryTextIsLeftAlone() {
        String text = "Summarise the skills of a task-oriented assistant; the token count is 42 and my passport is ready.";
        assertThat(SecretMasker.mask(text)).isEqualTo(text);
        assertThat(SecretMasker.mask(null)).isNull();
        assertThat(SecretMasker.mask("")).isEmpty();
    }
}
