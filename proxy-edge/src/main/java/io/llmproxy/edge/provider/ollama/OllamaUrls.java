package io.llmproxy.edge.provider.ollama;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** URLs and ids of the Ollama provider. */
final class OllamaUrls {

    private OllamaUrls() {
    }

    /**
     * @param baseUrl the Ollama server ({@code http://localhost:11434}); a trailing {@code /} or
     *                {@code /api} is tolerated
     * @return {@code <base>/api/<endpoint>}
     */
    static String api(String baseUrl, String endpoint) {
        String base = baseUrl;
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (base.endsWith("/api")) {
            base = base.substring(0, base.length() - 4);
        }
        return base + "/api/" + endpoint;
    }

    /** A stable tool call id (Ollama gives none): {@code call_} + 24 hex digits of SHA-256(index, name, arguments). */
    static String callId(int index, String name, String arguments) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((index + "\u0000" + name + "\u0000" + arguments).getBytes(StandardCharsets.UTF_8));
            return "call_" + HexFormat.of().formatHex(digest.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
