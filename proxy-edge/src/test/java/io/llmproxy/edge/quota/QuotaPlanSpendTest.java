package io.llmproxy.edge.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.kernel.quota.QuotaLimits;
import io.llmproxy.kernel.quota.QuotaScope;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuotaPlanSpendTest {

    static QuotaLimits spend(String usd) {
        return new QuotaLimits(null, null, null, null, null, null, usd);
    }

    @Test
    void monthlySpendIsAUsdMicrosCounterPerUtcMonthOnlyForPricedCalls() {
        Instant now = Instant.parse("2026-11-29T10:15:40Z");
        List<QuotaPlan.Level> levels = List.of(new QuotaPlan.Level(QuotaScope.TENANT, "t1", spend("250.5")),
                new QuotaPlan.Level(QuotaScope.API_KEY, "k1", spend("0.0000019")));
        List<QuotaCheck> checks = QuotaPlan.checks("t1", levels, now, 100, 4200L);
        assertThat(checks).hasSize(2);
        QuotaCheck tenant = checks.get(0);
        assertThat(tenant.key()).isEqualTo("llmq:{t1}:TENANT:t1:usdmo:202611");
        assertThat(tenant.kind()).isEqualTo(QuotaCheck.Kind.SPEND_PER_MONTH);
        assertThat(tenant.limit()).isEqualTo(250_500_000L);
        assertThat(tenant.amount()).isEqualTo(4200L);
        assertThat(tenant.windowEnd()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(tenant.ttlSeconds()).isEqualTo(135_860L + QuotaPlan.TTL_MARGIN_SECONDS); // 1 d 13 h 44 min 20 s to December
        assertThat(checks.get(1).limit()).isEqualTo(1L); // 1.9 micros, rounded down
        // unpriced call (no reserved cost): no spend counter
        assertThat(QuotaPlan.checks("t1", levels, now, 100, null)).isEmpty();
        assertThat(QuotaPlan.checks("t1", levels, now, 100)).isEmpty();
        assertThat(QuotaCheck.Kind.SPEND_PER_MONTH.settlesTokens()).isFalse();
        assertThat(QuotaCheck.Kind.SPEND_PER_MONTH.isQuota()).isTrue();
        assertThat(QuotaPlan.spendLimitMicros("12.50")).isEqualTo(12_500_000L);
        assertThat(QuotaPlan.spendLimitMicros(null)).isNull();
    }
}
