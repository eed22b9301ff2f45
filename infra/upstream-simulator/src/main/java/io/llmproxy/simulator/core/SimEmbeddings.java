package io.llmproxy.simulator.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic embeddings: the vector of a text is {@code dims} values, value {@code i} =
 * {@code ((splitmix64(seed + i) >>> 11) / 2^53) × 2 − 1} rounded to 6 decimals, where {@code seed} is
 * the first 8 bytes (big-endian) of SHA-256 of the text's UTF-8 bytes. Its prompt tokens are
 * {@link SimTokenizer#count}.
 */
public final class SimEmbeddings {

    /** Vector length when the request names none. */
    public static final int DEFAULT_DIMENSIONS = 8;

    private SimEmbeddings() {
    }

    public static double[] embed(String text, int dims) {
        long seed;
        try {
            seed = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        double[] v = new double[dims];
        for (int i = 0; i < dims; i++) {
            double unit = (CompletionPlanner.splitmix64(seed + i) >>> 11) / (double) (1L << 53);
            v[i] = Math.round((unit * 2 - 1) * 1_000_000d) / 1_000_000d;
        }
        return v;
    }
}
