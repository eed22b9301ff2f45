package io.llmproxy.edge.chat;

import tools.jackson.databind.JsonNode;

/**
 * Tokens to reserve against token quotas before a call (the actual usage settles it after):
 * prompt estimate = ⌈characters of text content / 4⌉ + 4 per message + 3 (OpenAI's rule of
 * thumb of ~4 characters per token for English, https://platform.openai.com/tokenizer, and its
 * per-message overhead), plus the completion cap: {@code max_completion_tokens}, else
 * {@code max_tokens}, else the configured default.
 */
public final class TokenEstimate {

    private TokenEstimate() {
    }

    /** Largest completion cap reserved, tokens: a larger {@code max_tokens} is counted as this. */
    static final long MAX_COMPLETION_RESERVE = 10_000_000;

    /** @return ⌈text characters / 4⌉ + 4 per message + 3 */
    public static long prompt(JsonNode body) {
        long chars = 0;
        long messages = 0;
        for (JsonNode message : body.path("messages")) {
            messages++;
            JsonNode content = message.get("content");
            if (content != null && content.isString()) {
                chars += content.asString().length();
            } else if (content != null && content.isArray()) {
                for (JsonNode part : content) {
                    chars += part.path("text").asString("").length();
                }
            }
        }
        return (chars + 3) / 4 + 4 * messages + 3;
    }

    /**
     * @return {@code promptEstimate} (from {@link #prompt}) + the completion cap, at most
     *         {@value #MAX_COMPLETION_RESERVE}; a cap that is not a positive whole number counts as
     *         {@code defaultMaxTokens} (the codecs refuse such caps; this is the second line of defence)
     */
    public static long reserve(JsonNode body, long promptEstimate, long defaultMaxTokens) {
        long completion = cap(body.get("max_completion_tokens"), cap(body.get("max_tokens"), defaultMaxTokens));
        return promptEstimate + Math.min(MAX_COMPLETION_RESERVE, completion);
    }

    private static long cap(JsonNode value, long otherwise) {
        return value != null && value.isIntegralNumber() && value.canConvertToLong() && value.asLong() > 0
                ? value.asLong() : otherwise;
    }

}
