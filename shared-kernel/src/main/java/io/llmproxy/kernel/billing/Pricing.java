package io.llmproxy.kernel.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * The one cost computation of the product, used by the billing projection (and by the edge's
 * spend counters): integer USD micros, no floating point.
 *
 * <pre>
 * costMicros = round_half_up( (prompt − cached) × input + cached × cachedInput + completion × output )
 * </pre>
 *
 * where the prices are USD per 1,000,000 tokens: USD per million tokens × tokens = USD micros,
 * exactly, so the only rounding is one half-up rounding to a whole micro per call (prices have at most 6
 * decimals, so the exact cost has at most 6 decimals of a micro before it). Cached prompt tokens
 * are a subset of prompt tokens (OpenAI {@code usage.prompt_tokens_details.cached_tokens},
 * https://platform.openai.com/docs/guides/prompt-caching) and are priced once, at the cached price;
 * a cached count above the prompt count is clamped to it. Prices per million tokens follow the
 * providers' price lists (e.g. https://openai.com/api/pricing).
 */
public final class Pricing {

    /** Most decimals a price (USD per million tokens) may have: one micro-dollar per million tokens. */
    public static final int MAX_SCALE = 6;

    private Pricing() {
    }

    /**
     * A price in force.
     *
     * @param inputPerMillionUsd       USD per 1,000,000 uncached prompt tokens, ≥ 0
     * @param outputPerMillionUsd      USD per 1,000,000 completion tokens, ≥ 0
     * @param cachedInputPerMillionUsd USD per 1,000,000 cached prompt tokens, ≥ 0; null = the input price
     */
    public record Price(BigDecimal inputPerMillionUsd, BigDecimal outputPerMillionUsd,
                        BigDecimal cachedInputPerMillionUsd) {
        public Price {
            Objects.requireNonNull(inputPerMillionUsd, "inputPerMillionUsd");
            Objects.requireNonNull(outputPerMillionUsd, "outputPerMillionUsd");
            if (cachedInputPerMillionUsd == null) {
                cachedInputPerMillionUsd = inputPerMillionUsd;
            }
        }
    }

    /**
     * @param price            the price in force at the call's time; null when the model has none
     * @param promptTokens     input tokens (including cached ones), negative counts as 0
     * @param cachedPromptTokens cached input tokens, clamped to [0, promptTokens]
     * @param completionTokens output tokens, negative counts as 0
     * @return the cost in USD micros (half-up to a whole micro), or null when {@code price} is null:
     *         an unpriced call has an unknown cost, never 0
     * @throws ArithmeticException if the cost does not fit a long (more than 9.2 × 10¹² USD)
     */
    public static Long costMicros(Price price, long promptTokens, long cachedPromptTokens, long completionTokens) {
        if (price == null) {
            return null;
        }
        long prompt = Math.max(0, promptTokens);
        long cached = Math.min(Math.max(0, cachedPromptTokens), prompt);
        long completion = Math.max(0, completionTokens);
        BigDecimal exact = price.inputPerMillionUsd().multiply(BigDecimal.valueOf(prompt - cached))
                .add(price.cachedInputPerMillionUsd().multiply(BigDecimal.valueOf(cached)))
                .add(price.outputPerMillionUsd().multiply(BigDecimal.valueOf(completion)));
        return exact.setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    /**
     * @return {@code amount} without trailing zeros and with a scale ≥ 0 ({@code 2.50} → {@code 2.5},
     *         {@code 10.00} → {@code 10}), or null for null
     */
    public static BigDecimal normalise(BigDecimal amount) {
        if (amount == null) {
            return null;
        }
        BigDecimal stripped = amount.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    /** @return whether {@code amount} is a valid price: ≥ 0 with at most {@value #MAX_SCALE} decimals */
    public static boolean isValidPrice(BigDecimal amount) {
        return amount != null && amount.signum() >= 0 && amount.stripTrailingZeros().scale() <= MAX_SCALE;
    }
}
