package io.llmproxy.simulator.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic embedding vectors, the same in every provider format: for a text and a dimension
 * count {@code d}, value {@code i} is {@code ((splitmix64(seed + (i+1) × 0x9E3779B97F4A7C15) >>> 11) / 2^53) × 2 − 1}
 * (uniform in [-1, 1)), where {@code seed} is the first 8 bytes (big-endian) of SHA-256 of the UTF-8
 * text; the vector is then scaled to unit length (as providers' normalised embeddings are). The
 * prompt token count of a text is {@link SimTokenizer#count}.
 */
public final class SimEmbeddings {

    /** Dimensions when the request asks for none: small, to keep test bodies short. */
    public static final int DEFAULT_DIMENSIONS = 8;
    /** Largest dimension count accepted. */
    public static final int MAX_DIMENSIONS = 4096;

    private SimEmbeddings() {
    }

    /** @return the unit vector of {@code text} with {@code dimensions} values (1..{@value #MAX_DIMENSIONS}) */
    public static double[] vector(String text, int dimensions) {
        if (dimensions < 1 || dimensions > MAX_DIMENSIONS) {
            throw new IllegalArgumentException("dimensions must be in 1.." + MAX_DIMENSIONS + ", was " + dimensions);
        }
        long seed;
        try {
            seed = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))).getLong(0);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        double[] v = new double[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            long mixed = CompletionPlanner.splitmix64(seed + (i + 1L) * 0x9E3779B97F4A7C15L);
            v[i] = ((mixed >>> 11) / (double) (1L << 53)) * 2 - 1;
            norm += v[i] * v[i];
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < dimensions; i++) {
            v[i] = norm == 0 ? 0 : (float) (v[i] / norm);
        }
        return v;
    }
}
