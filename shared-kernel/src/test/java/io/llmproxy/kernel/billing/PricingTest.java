package io.llmproxy.kernel.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmproxy.kernel.billing.Pricing.Price;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class PricingTest {

    private static Price price(String input, String output, String cached) {
        return new Price(new BigDecimal(input), new BigDecimal(output), cached == null ? null : new BigDecimal(cached));
    }

    @Test
    void costIsTokensTimesPricePerMillionInMicros() {
        // gpt-4o-like: 2.50 in, 10.00 out, 1.25 cached per million tokens
        Price p = price("2.50", "10.00", "1.25");
        // (1000 − 200) × 2.5 + 200 × 1.25 + 500 × 10 = 2000 + 250 + 5000
        assertThat(Pricing.costMicros(p, 1000, 200, 500)).isEqualTo(7250L);
        assertThat(Pricing.costMicros(p, 0, 0, 0)).isZero();
        assertThat(Pricing.costMicros(p, 1_000_000, 0, 0)).isEqualTo(2_500_000L);
    }

    @Test
    void roundsHalfUpOncePerCall() {
        Price p = price("0.15", "0.6", null);
        // 3 × 0.15 + 1 × 0.6 = 1.05 → 1
        assertThat(Pricing.costMicros(p, 3, 0, 1)).isEqualTo(1L);
        // 10 × 0.15 = 1.5 → 2 (half up)
        assertThat(Pricing.costMicros(p, 10, 0, 0)).isEqualTo(2L);
        // 3 × 0.15 = 0.45 → 0
        assertThat(Pricing.costMicros(p, 3, 0, 0)).isZero();
        Price tiny = price("0.000001", "0.000001", null);
        assertThat(Pricing.costMicros(tiny, 500_000, 0, 0)).isEqualTo(1L);
        assertThat(Pricing.costMicros(tiny, 499_999, 0, 0)).isZero();
    }

    @Test
    void cachedDefaultsToInputPriceAndIsClampedToPrompt() {
        Price p = price("2", "8", null);
        assertThat(p.cachedInputPerMillionUsd()).isEqualByComparingTo("2");
        assertThat(Pricing.costMicros(p, 100, 40, 10)).isEqualTo(280L);
        Price c = price("2", "8", "0.5");
        // cached 500 > prompt 100 → 100 cached: 100 × 0.5 = 50
        assertThat(Pricing.costMicros(c, 100, 500, 0)).isEqualTo(50L);
        assertThat(Pricing.costMicros(c, 100, -5, 0)).isEqualTo(200L);
    }

    @Test
    void noPriceMeansUnknownCostNotZero() {
        assertThat(Pricing.costMicros(null, 100, 0, 100)).isNull();
    }

    @Test
    void overflowIsAnErrorNotAWrongNumber() {
        Price p = price("1000000", "0", null);
        assertThatThrownBy(() -> Pricing.costMicros(p, Long.MAX_VALUE, 0, 0)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void validPricesAndNormalisation() {
        assertThat(Pricing.isValidPrice(new BigDecimal("0.000001"))).isTrue();
        assertThat(Pricing.isValidPrice(new BigDecimal("1.2500000"))).isTrue();
        assertThat(Pricing.isValidPrice(new BigDecimal("0.0000001"))).isFalse();
        assertThat(Pricing.isValidPrice(new BigDecimal("-1"))).isFalse();
        assertThat(Pricing.isValidPrice(null)).isFalse();
        assertThat(Pricing.normalise(new BigDecimal("10.00")).toPlainString()).isEqualTo("10");
        assertThat(Pricing.normalise(new BigDecimal("10.00")).toString()).isEqualTo("10");
        assertThat(Pricing.normalise(new BigDecimal("2.50")).toString()).isEqualTo("2.5");
    }
}
