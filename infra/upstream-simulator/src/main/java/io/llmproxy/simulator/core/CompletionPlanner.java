package io.llmproxy.simulator.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic, provider-neutral completion generation: turns a {@link NormalizedChatRequest} into a
 * {@link CompletionPlan}. No randomness, no clock, no state: the same request always gives the same
 * plan, in every provider format and in streaming and non-streaming mode alike.
 *
 * <p><b>Prompt tokens</b> (mimicking OpenAI's per-message overhead, as in OpenAI's cookbook
 * "How to count tokens with tiktoken"):
 * <pre>
 *   promptTokens = 3 + &Sigma; over messages ( 4 + &Sigma; SimTokenizer.count(textPart) + 85 &times; imageParts )
 * </pre>
 * where {@link SimTokenizer} is the documented whitespace/punctuation rule. Roles and message names
 * are not counted. Example: {@code [system "You are a helpful assistant.", user "Hello, world! How are you?"]}
 * = 3 + (4 + 6) + (4 + 8) = 25.
 *
 * <p><b>Completion.</b>
 * <ol>
 *   <li>{@code promptHash} = SHA-256 of the model and the messages (role, text parts, image-part count),
 *       each string UTF-8 encoded and length-prefixed, so distinct inputs cannot collide by
 *       concatenation. The output-token limit is <em>not</em> part of it, so a cut completion is a
 *       prefix of the uncut one.</li>
 *   <li>{@code a} = the first 8 bytes of {@code promptHash} and {@code b} = the next 8, each as a
 *       big-endian {@code long}.</li>
 *   <li>Natural length {@code n = 8 + (a mod 40)} tokens (unsigned), so 8..47.</li>
 *   <li>Token {@code i} (0-based) is the word {@code VOCABULARY[splitmix64(b + (i+1) * 0x9E3779B97F4A7C15) mod |VOCABULARY|]}
 *       (unsigned), preceded by a single space for every {@code i > 0}. Every word is lower-case
 *       ASCII letters, so each completion token is exactly one sim token and
 *       {@code SimTokenizer.count(content) == completionTokens}.</li>
 *   <li>If the request carries an output-token limit {@code m < n}, only the first {@code m} tokens
 *       are kept and the finish reason is {@link FinishReason#LENGTH}; otherwise it is
 *       {@link FinishReason#STOP}.</li>
 * </ol>
 *
 * <p><b>Request hash</b> (for response ids) = SHA-256 of {@code promptHash} followed by the
 * output-token limit (4 bytes, big-endian; -1 when absent). Streaming flags do not enter it, so a
 * streamed and a non-streamed answer to the same request carry the same id.
 */
public final class CompletionPlanner {

    /** Natural completion length is {@code MIN_COMPLETION_TOKENS + (hash mod COMPLETION_TOKEN_SPREAD)}. */
    public static final int MIN_COMPLETION_TOKENS = 8;

    /** See {@link #MIN_COMPLETION_TOKENS}: natural lengths are 8..47 tokens. */
    public static final int COMPLETION_TOKEN_SPREAD = 40;

    /** Fixed prompt-token cost of one image part, whatever its size. */
    public static final int IMAGE_PART_TOKENS = 85;

    /** Fixed prompt-token overhead per message. */
    public static final int TOKENS_PER_MESSAGE = 4;

    /** Fixed prompt-token overhead per request (OpenAI's reply priming). */
    public static final int TOKENS_PER_REQUEST = 3;

    /** The 64 words completions are made of; the order is part of the deterministic contract. */
    public static final List<String> VOCABULARY = List.of(
            "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
            "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa",
            "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "xray",
            "yankee", "zulu", "amber", "basalt", "cedar", "dune", "ember", "fjord",
            "granite", "harbor", "island", "jasper", "kelp", "lagoon", "meadow", "nimbus",
            "orchid", "prairie", "quartz", "river", "summit", "tundra", "umber", "valley",
            "willow", "xenon", "yarrow", "zephyr", "the", "a", "of", "and",
            "to", "in", "is", "simulated", "token", "stream", "answer", "model");

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private CompletionPlanner() {
    }

    /** The plan for {@code request}; see the class documentation for the exact rules. */
    public static CompletionPlan plan(NormalizedChatRequest request) {
        byte[] promptHash = promptHash(request);
        ByteBuffer seeds = ByteBuffer.wrap(promptHash);
        long a = seeds.getLong(0);
        long b = seeds.getLong(8);

        int natural = MIN_COMPLETION_TOKENS + (int) Long.remainderUnsigned(a, COMPLETION_TOKEN_SPREAD);
        Integer limit = request.maxOutputTokens();
        boolean cut = limit != null && limit < natural;
        int length = cut ? limit : natural;

        List<String> tokens = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            long mixed = splitmix64(b + (i + 1L) * GOLDEN_GAMMA);
            String word = VOCABULARY.get((int) Long.remainderUnsigned(mixed, VOCABULARY.size()));
            tokens.add(i == 0 ? word : " " + word);
        }

        MessageDigest digest = sha256();
        digest.update(promptHash);
        digest.update(ByteBuffer.allocate(4).putInt(limit == null ? -1 : limit).array());
        byte[] requestHash = digest.digest();

        return new CompletionPlan(requestHash, tokens, promptTokens(request.messages()),
                cut ? FinishReason.LENGTH : FinishReason.STOP);
    }

    /** Prompt size in sim tokens: {@code 3 + Σ (4 + text tokens + 85 × image parts)}. */
    public static int promptTokens(List<NormalizedMessage> messages) {
        int total = TOKENS_PER_REQUEST;
        for (NormalizedMessage message : messages) {
            total += TOKENS_PER_MESSAGE + IMAGE_PART_TOKENS * message.imageParts();
            for (String part : message.textParts()) {
                total += SimTokenizer.count(part);
            }
        }
        return total;
    }

    private static byte[] promptHash(NormalizedChatRequest request) {
        MessageDigest digest = sha256();
        putString(digest, request.model());
        putInt(digest, request.messages().size());
        for (NormalizedMessage message : request.messages()) {
            putString(digest, message.role());
            putInt(digest, message.textParts().size());
            for (String part : message.textParts()) {
                putString(digest, part);
            }
            putInt(digest, message.imageParts());
        }
        return digest.digest();
    }

    private static void putString(MessageDigest digest, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        putInt(digest, bytes.length);
        digest.update(bytes);
    }

    private static void putInt(MessageDigest digest, int value) {
        digest.update(ByteBuffer.allocate(4).putInt(value).array());
    }

    /** The SplitMix64 finalizer (Steele, Lea, Flood 2014), fixed here so outputs never change. */
    static long splitmix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
