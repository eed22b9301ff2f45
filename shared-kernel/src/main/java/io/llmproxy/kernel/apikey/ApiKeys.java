package io.llmproxy.kernel.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API key format and hashing, shared by the command side (issue) and the edge (authenticate).
 *
 * <p>A key is {@value #PREFIX} followed by 43 base64url characters encoding 32 random bytes
 * (256 bits) from {@link SecureRandom}. Because the key has full entropy, a single SHA-256 is
 * the stored form (no slow password hash is needed; the edge hashes once per cache miss).
 */
public final class ApiKeys {

    /** Recognisable prefix of every key, so that secret scanners can find leaked keys. */
    public static final String PREFIX = "llmp_";
    /** Number of characters of the key shown to admins: the prefix plus 6 random characters. */
    public static final int DISPLAY_PREFIX_LENGTH = PREFIX.length() + 6;

    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {
    }

    /** @return a new key: {@code llmp_} + base64url(32 random bytes), 48 characters */
    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** @return SHA-256 of the key's UTF-8 bytes, lowercase hex (64 characters) */
    public static String hash(String key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    /** @return the part of the key safe to display: its first {@value #DISPLAY_PREFIX_LENGTH} characters */
    public static String displayPrefix(String key) {
        return key.substring(0, Math.min(DISPLAY_PREFIX_LENGTH, key.length()));
    }
}
