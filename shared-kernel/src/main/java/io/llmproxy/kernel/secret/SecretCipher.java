package io.llmproxy.kernel.secret;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts provider credentials before they enter a command or an event, and decrypts them
 * at the edge. AES-256-GCM with a 96-bit random IV and a 128-bit tag (NIST SP 800-38D) under
 * the deployment's master key ({@code LLMPROXY_SECRET_KEY}, base64 of 32 bytes).
 *
 * <p>Wire form: {@code v1:} + base64(iv[12] | ciphertext | tag[16]).
 */
public final class SecretCipher {

    private static final String VERSION = "v1:";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    /**
     * @param base64Key base64 (standard or url-safe) of exactly 32 bytes
     * @throws IllegalArgumentException when the key is missing or not 32 bytes
     */
    public SecretCipher(String base64Key) {
        if (base64Key == null || base64Key.isBlank()) {
            throw new IllegalArgumentException("LLMPROXY_SECRET_KEY is not set (base64 of 32 random bytes)");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            raw = Base64.getUrlDecoder().decode(base64Key.trim());
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException("LLMPROXY_SECRET_KEY must decode to 32 bytes, got " + raw.length);
        }
        this.key = new SecretKeySpec(raw, "AES");
    }

    /** @return {@code v1:} + base64(iv | ciphertext | tag) of the UTF-8 plaintext */
    public String encrypt(String plaintext) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            byte[] ct = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[iv.length + ct.length];
            System.arraycopy(iv, 0, out, 0, iv.length);
            System.arraycopy(ct, 0, out, iv.length, ct.length);
            return VERSION + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * @return the plaintext
     * @throws IllegalArgumentException when the value is not of this format or was encrypted under another key
     */
    public String decrypt(String wire) {
        if (wire == null || !wire.startsWith(VERSION)) {
            throw new IllegalArgumentException("not a v1 secret");
        }
        try {
            byte[] in = Base64.getDecoder().decode(wire.substring(VERSION.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
            return new String(cipher.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("secret cannot be decrypted with this LLMPROXY_SECRET_KEY", e);
        }
    }
}
